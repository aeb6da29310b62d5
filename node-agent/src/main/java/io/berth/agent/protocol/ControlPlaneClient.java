package io.berth.agent.protocol;

import io.berth.core.protocol.RegisterRequest;
import io.berth.core.protocol.RegisterResponse;
import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.core.protocol.MetricsReport;
import io.berth.core.protocol.LogBatch;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * JSON-over-HTTP client for the agent protocol (see the records in this package).
 *
 * <p>Every method makes exactly one request (no retries: the caller owns the retry policy) and
 * throws {@link ControlPlaneException} on failure. Thread-safe.
 */
public final class ControlPlaneClient {
    /**
     * Shared mapper: lenient on unknown fields so a newer control plane does not break an older agent; likewise a
     * runtime of a type this agent does not know reads as null (that worker fails, the heartbeat still reads). The protocol
     * records (io.berth.core.protocol) carry no Jackson annotations; what the agent writes differently from the plain
     * record is a mix-in here.
     */
    public static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
            .addMixIn(HeartbeatRequest.class, HeartbeatRequestJson.class)
            .build();

    /**
     * The heartbeat's newer fields are left out when null, so that an agent without a power figure still speaks to
     * a control plane older than them (which refuses unknown fields).
     */
    private interface HeartbeatRequestJson {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        HeartbeatRequest.Power power();

        @JsonInclude(JsonInclude.Include.NON_NULL)
        String powerState();

        @JsonInclude(JsonInclude.Include.NON_NULL)
        String powerError();
    }

    private final URI base;
    private final String agentName;
    private volatile String token;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param base      control plane root, e.g. http://cp:8080 (a trailing slash is ignored)
     * @param agentName this agent's name, used in paths
     * @param token     bearer token; null or blank = no Authorization header
     * @param timeout   per-request timeout
     */
    public ControlPlaneClient(URI base, String agentName, String token, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.agentName = agentName;
        this.token = token == null || token.isBlank() ? null : token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** Switches the bearer token for later requests (null or blank = none). */
    public void useToken(String token) {
        this.token = token == null || token.isBlank() ? null : token;
    }

    public RegisterResponse register(RegisterRequest request) {
        return post("/api/v1/agents/register", request, RegisterResponse.class);
    }

    public HeartbeatResponse heartbeat(HeartbeatRequest request) {
        HeartbeatResponse r = post(agentPath() + "/heartbeat", request, HeartbeatResponse.class);
        return r == null ? new HeartbeatResponse(null, null) : r;
    }

    /**
     * Long-poll heartbeat: a control plane that supports it holds the answer for up to {@code wait} while it has
     * nothing for this agent and answers as soon as work is placed here; an older one ignores the parameter and
     * answers at once. The request timeout is the client's timeout plus {@code wait}.
     */
    public HeartbeatResponse heartbeat(HeartbeatRequest request, Duration wait) {
        HeartbeatResponse r = post(agentPath() + "/heartbeat?waitSeconds=" + wait.toSeconds(), request,
                HeartbeatResponse.class, timeout.plus(wait));
        return r == null ? new HeartbeatResponse(null, null) : r;
    }

    public void reportMetrics(String workerId, MetricsReport report) {
        post(agentPath() + "/workers/" + segment(workerId) + "/metrics", report, Void.class);
    }

    public void shipLogs(String workerId, LogBatch batch) {
        post(agentPath() + "/workers/" + segment(workerId) + "/logs", batch, Void.class);
    }

    private String agentPath() {
        return "/api/v1/agents/" + segment(agentName);
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private <T> T post(String path, Object body, Class<T> responseType) {
        return post(path, body, responseType, timeout);
    }

    private <T> T post(String path, Object body, Class<T> responseType, Duration requestTimeout) {
        String what = "POST " + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ControlPlaneException.unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ControlPlaneException.unreachable(what, e);
        }
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
            throw ControlPlaneException.status(what, status, response.body());
        }
        if (responseType == Void.class || response.body() == null || response.body().isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(response.body(), responseType);
        } catch (JacksonException e) {
            throw ControlPlaneException.status(what + " (unreadable response)", 502, e.getOriginalMessage());
        }
    }
}
