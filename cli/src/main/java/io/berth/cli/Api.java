package io.berth.cli;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Berth HTTP API as the CLI uses it: JSON in and out, bearer token, errors turned into {@link Berth.CliException}
 * with the exit code the CLI promises (1 for 4xx, 3 for 5xx or no answer) and the problem details on one line.
 */
final class Api {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Config.Target target;
    private final HttpClient http;

    Api(Config.Target target) {
        this.target = target;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    URI server() {
        return target.server();
    }

    JsonNode get(String path) {
        return send("GET", path, null, null);
    }

    JsonNode post(String path, JsonNode body) {
        return send("POST", path, "application/json", body == null ? null : JSON.writeValueAsBytes(body));
    }

    JsonNode put(String path, JsonNode body) {
        return send("PUT", path, "application/json", JSON.writeValueAsBytes(body));
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** One call; the answer's JSON (a missing node for an empty answer). */
    JsonNode send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = request(path).timeout(TIMEOUT).header("Accept", "application/json");
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> r = exchange(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 400) throw problem(r.statusCode(), r.body());
        if (r.body().length == 0) return JSON.missingNode();
        try {
            return JSON.readTree(r.body());
        } catch (JacksonException e) {
            throw new Berth.CliException(Berth.UNREACHABLE, "the server's answer to " + method + " " + path
                    + " is not JSON");
        }
    }

    /**
     * GET as plain text, copied to {@code out} as it arrives (flushed after every read), until the server ends the
     * answer: used for logs, which the server streams until the job ends when asked to follow.
     */
    void streamText(String path, OutputStream out) {
        HttpRequest req = request(path).header("Accept", "text/plain, application/problem+json").GET().build();
        HttpResponse<InputStream> r = exchange(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() >= 400) throw problem(r.statusCode(), in.readAllBytes());
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            throw new Berth.CliException(Berth.UNREACHABLE, "lost the connection to " + target.server() + ": "
                    + e.getMessage());
        }
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A path segment (a job id, a server or tenant name). */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target.server() + path))
                .header("User-Agent", "berth-cli");
        if (target.token() != null) b.header("Authorization", "Bearer " + target.token());
        return b;
    }

    private <T> HttpResponse<T> exchange(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(req, handler);
        } catch (IOException e) {
            String why = e instanceof java.net.ConnectException ? "connection refused"
                    : e instanceof java.net.http.HttpTimeoutException ? "no answer in time"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new Berth.CliException(Berth.UNREACHABLE, "cannot reach " + target.server() + ": " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Berth.CliException(Berth.UNREACHABLE, "interrupted");
        }
    }

    /**
     * The problem details as one line: {@code title: detail [field: message; ...]}; 4xx exit 1, 5xx exit 3. An answer
     * that is not problem details is shown by its status and first line.
     */
    static Berth.CliException problem(int status, byte[] body) {
        int code = status >= 500 ? Berth.UNREACHABLE : Berth.REFUSED;
        JsonNode p;
        try {
            p = body.length == 0 ? null : JSON.readTree(body);
        } catch (JacksonException e) {
            p = null;
        }
        if (p == null || !p.isObject()) {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            String first = text.isEmpty() ? "" : ": " + text.lines().findFirst().orElse("");
            return new Berth.CliException(code, "HTTP " + status + first);
        }
        StringBuilder line = new StringBuilder(Out.text(p, "title", "HTTP " + status));
        String detail = Out.text(p, "detail", null);
        if (detail != null && !detail.isBlank()) line.append(": ").append(detail);
        List<String> fields = new ArrayList<>();
        for (JsonNode e : p.path("errors")) {
            String field = Out.text(e, "field", "?") + ": " + Out.text(e, "message", "");
            if (detail == null || !detail.contains(field)) fields.add(field); // not twice
        }
        if (!fields.isEmpty()) {
            line.append(" [").append(String.join("; ", fields));
            int count = p.path("errorCount").asInt(fields.size());
            if (count > fields.size()) line.append("; ").append(count - fields.size()).append(" more");
            line.append(']');
        }
        return new Berth.CliException(code, line.toString());
    }
}
