package io.berth.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Refuses, before anything else reads the request, what no endpoint can use and Spring would otherwise turn into a
 * 500 or a database error: on POST, PUT and PATCH a body without a Content-Type, or a Content-Type that is malformed
 * or a wildcard ({@code *}{@code /*}, {@code application/*}), is 415 (bodies are never sniffed); a query string that is not valid percent-encoding, or a parameter name or value
 * with a NUL character (PostgreSQL cannot store or compare it), is 400 naming the parameter.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class RequestHygieneFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(RequestHygieneFilter.class);
    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getContentType();
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        if (contentType == null && hasBody && WITH_BODY.contains(request.getMethod())) {
            refuse(request, response, 415, "unsupported-media-type",
                    "a request body needs a Content-Type, such as application/json or application/yaml", null);
            return;
        }
        if (contentType != null && WITH_BODY.contains(request.getMethod())) {
            boolean bad;
            try {
                MediaType type = MediaType.parseMediaType(contentType);
                bad = type.isWildcardType() || type.isWildcardSubtype();
            } catch (RuntimeException e) {
                bad = true;
            }
            if (bad) {
                refuse(request, response, 415, "unsupported-media-type",
                        "content type '" + contentType + "' is not supported; name a concrete type such as "
                                + "application/json or application/yaml", null);
                return;
            }
        }
        String query = request.getQueryString();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name;
                String value;
                try {
                    name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    refuse(request, response, 400, "invalid-request", "malformed query string", "query");
                    return;
                }
                if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                    String field = name.indexOf('\0') >= 0 ? "query" : name;
                    refuse(request, response, 400, "invalid-request",
                            field + ": must not contain NUL (U+0000) characters", field);
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String slug,
                               String detail, String field) throws IOException {
        log.warn("{} on {} {}: {}", status, Logs.escape(request.getMethod()), Logs.escape(request.getRequestURI()),
                Logs.escape(detail));
        Problems.write(response, status, slug, detail, field);
    }
}
