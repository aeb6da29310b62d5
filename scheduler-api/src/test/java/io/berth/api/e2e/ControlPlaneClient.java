package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** A client of a control plane running as a process (see {@link ControlPlaneProcess}), with a bearer token. */
record ControlPlaneClient(int port, String token) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One call; a JSON body when {@code json} is not null. Fails when no answer comes. */
    HttpResponse<String> send(String method, String path, String json) {
        HttpResponse<String> r = trySend(method, path, json, null);
        if (r == null) throw new UncheckedIOException(new IOException("no answer to " + method + " " + path));
        return r;
    }

    /** One call; null when the control plane is not reachable (or does not answer within 30 s). */
    HttpResponse<String> trySend(String method, String path, String json, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        if (json == null) b.method(method, HttpRequest.BodyPublishers.noBody());
        else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    /** A new agent token bound to {@code server}. */
    String agentToken(String server) {
        HttpResponse<String> r = send("POST", "/api/v1/tokens",
                "{\"name\":\"agent-" + server + "\",\"role\":\"AGENT\",\"server\":\"" + server + "\"}");
        if (r.statusCode() != 201) throw new IllegalStateException("token refused: " + r.body());
        return JsonPath.read(r.body(), "$.token");
    }

    /** The job's state, or "?" when it cannot be read. */
    String state(String jobId) {
        HttpResponse<String> r = trySend("GET", "/api/v1/jobs/" + jobId, null, null);
        return r != null && r.statusCode() == 200 ? JsonPath.read(r.body(), "$.state") : "?";
    }

    /** How many servers are READY, or -1 when the list cannot be read. */
    int readyServers() {
        HttpResponse<String> r = trySend("GET", "/api/v1/servers?size=500", null, null);
        return r == null || r.statusCode() != 200 ? -1
                : JsonPath.<java.util.List<?>>read(r.body(), "$.items[?(@.state == 'READY')]").size();
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("condition not met within " + timeout);
            Thread.sleep(250);
        }
    }
}
