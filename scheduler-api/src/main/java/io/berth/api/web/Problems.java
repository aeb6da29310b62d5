package io.berth.api.web;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stable problem type URIs: {@code https://berth.dev/problems/<slug>}. Clients may switch on them. Also writes problem
 * documents for the places that answer before or outside Spring MVC (filters, the security chain, Tomcat's own
 * refusals); inside it, {@link ProblemHandler} does.
 */
public final class Problems {
    private static final String BASE = "https://berth.dev/problems/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    public static URI type(String slug) {
        return URI.create(BASE + slug);
    }

    /** A problem document as JSON text; {@code field}, when not null, is listed as the one field error. */
    public static String json(int status, String slug, String detail, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type(slug).toString());
        HttpStatus known = HttpStatus.resolve(status);
        body.put("title", known == null ? "Error" : known.getReasonPhrase());
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            String message = detail.startsWith(field + ": ") ? detail.substring(field.length() + 2) : detail;
            body.put("errors", List.of(Map.of("field", field, "message", message)));
            body.put("errorCount", 1);
        }
        return JSON.writeValueAsString(body);
    }

    /** Writes a problem answer unless the response is already committed. */
    public static void write(HttpServletResponse response, int status, String slug, String detail, String field)
            throws IOException {
        if (response.isCommitted()) return;
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json(status, slug, detail, field));
        response.getWriter().flush();
    }
}
