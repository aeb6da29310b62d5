package io.berth.api;

import io.berth.api.auth.AdminBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Ends start-up with one line a person can act on: where the API and its Swagger UI answer, where health is (the
 * management port), and where the admin token is. Logged at INFO by {@code io.berth.api.ReadyLine}, after every other
 * ready listener (the admin token is written by one of them). Addresses come from the ports actually bound, so
 * {@code server.port=0} prints the real one; {@code localhost} unless {@code server.address} names another.
 */
@Component
class ReadyLine {
    private static final Logger log = LoggerFactory.getLogger(ReadyLine.class);

    private final Environment env;
    private final AdminBootstrap admin;

    ReadyLine(Environment env, AdminBootstrap admin) {
        this.env = env;
        this.admin = admin;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(Ordered.LOWEST_PRECEDENCE)
    void onReady() {
        log.info(line());
    }

    String line() {
        String api = base("server", env.getProperty("local.server.port", env.getProperty("server.port", "8080")))
                + env.getProperty("server.servlet.context-path", "");
        StringBuilder line = new StringBuilder("Berth is ready: dashboard ").append(api).append("/, API ").append(api)
                .append("/api/v1");
        if (env.getProperty("springdoc.swagger-ui.enabled", Boolean.class, true)) {
            line.append(" (Swagger UI ").append(api).append("/swagger-ui/index.html)");
        }
        String managementPort = env.getProperty("local.management.port");
        if (managementPort != null && !"-1".equals(managementPort)) {
            line.append(", health ").append(base("management.server", managementPort))
                    .append(env.getProperty("management.server.base-path", ""))
                    .append(env.getProperty("management.endpoints.web.base-path", "/actuator")).append("/health");
        } else {
            line.append(", health ").append(api).append("/actuator/health");
        }
        return line.append(", ").append(admin.adminTokenSource()).toString();
    }

    private String base(String prefix, String port) {
        boolean tls = env.getProperty(prefix + ".ssl.enabled", Boolean.class, true)
                && (env.containsProperty(prefix + ".ssl.key-store") || env.containsProperty(prefix + ".ssl.bundle")
                || env.containsProperty(prefix + ".ssl.certificate"));
        String host = env.getProperty(prefix + ".address", "");
        if (host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) host = "localhost";
        if (host.contains(":")) host = "[" + host + "]";
        return (tls ? "https://" : "http://") + host + ":" + port;
    }
}
