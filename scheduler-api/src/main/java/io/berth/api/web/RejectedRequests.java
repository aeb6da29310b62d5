package io.berth.api.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import java.io.IOException;

/**
 * Requests the firewall refuses before any authentication (a path with {@code ..}, {@code ;}, {@code %2e}, an encoded
 * CR or LF, a malformed header) get a 400 problem, the same for every caller: they never reach a controller, so
 * asking for a token first would only hide the reason.
 */
@Configuration(proxyBeanMethods = false)
class RejectedRequests {
    private static final Logger log = LoggerFactory.getLogger(RejectedRequests.class);

    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (HttpServletRequest request, HttpServletResponse response, RequestRejectedException e) -> {
            log.warn("400 on {} {}: {}", Logs.escape(request.getMethod()), Logs.escape(request.getRequestURI()),
                    Logs.escape(e.getMessage()));
            Problems.write(response, 400, "invalid-request", "the request path or a header is malformed or not allowed",
                    null);
        };
    }
}
