package io.berth.api;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import io.berth.api.auth.Role;
import io.berth.api.auth.TestJwtIssuer;
import org.springframework.context.annotation.Import;
import io.berth.api.auth.TokenService;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Base of the integration tests: the whole control plane on a random port over real HTTP, on one embedded PostgreSQL
 * per test JVM (Spring's context cache keeps one context, so one database, for every subclass). Each test starts
 * from an empty inventory.
 */
@Import(TestJwtIssuer.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"berth.embedded-postgres.data-dir=", "berth.embedded-postgres.durable=false", "berth.api.max-body-bytes=1048576",
                "berth.scheduler.heartbeat-timeout-seconds=5", "berth.scheduler.heartbeat-interval-seconds=1",
                "berth.scheduler.interval-millis=100", "berth.local-agent.enabled=false",
                "berth.auth.admin-token-file=target/test-admin-token", "berth.scheduler.checkpoint-root=target/test-checkpoints"})
public abstract class ApiTestBase {
    protected static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected TokenService tokens;

    /** Sent as the bearer token of every request made through this class; an admin token unless a test changes it. */
    protected String token;

    private static String adminToken;

    @BeforeEach
    void authenticateAsAdmin() {
        synchronized (ApiTestBase.class) {
            if (adminToken == null) adminToken = tokens.issue("test-admin", Role.ADMIN, null, null).token();
        }
        token = adminToken;
    }

    @BeforeEach
    void cleanDatabase() throws InterruptedException {
        // The background scheduling loop and heartbeat monitor keep running; a TRUNCATE that deadlocks with them is
        // simply tried again.
        for (int attempt = 1; ; attempt++) {
            try {
                jdbc.execute("TRUNCATE jobs, job_events, workers, job_metrics, worker_logs, tenant_quotas, audit_log, servers, "
                        + "accelerators, local_devices, network_links, shared_volumes, shared_volume_racks CASCADE");
                jdbc.execute("UPDATE racks SET leaf_switch = NULL");
                jdbc.execute("DELETE FROM racks WHERE name <> 'default'");
                jdbc.execute("DELETE FROM switches");
                jdbc.execute("DELETE FROM zones WHERE name <> 'default'");
                return;
            } catch (org.springframework.dao.DataAccessException e) {
                if (attempt == 5) throw e;
                Thread.sleep(100L * attempt);
            }
        }
    }

    protected record Response(int status, String body, java.net.http.HttpHeaders headers) {
    }

    protected Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    protected Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    protected Response post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    protected Response postJson(String path, String json) {
        return post(path, "application/json", json);
    }

    protected Response put(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected Response send(HttpRequest.Builder request) {
        if (token != null) request.setHeader("Authorization", "Bearer " + token);
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /**
     * Creates a server with {@code gpus} GPUs of {@code model} through the API and marks its agent as seen far in
     * the future, so the scheduler treats it as live without a real agent heartbeating.
     */
    protected void liveServer(String name, String rack, int gpus, String model, long cpuMillis, long memoryMib) {
        StringBuilder accs = new StringBuilder();
        for (int i = 0; i < gpus; i++) {
            if (i > 0) accs.append(',');
            accs.append("{\"kind\":\"GPU\",\"model\":\"").append(model).append("\",\"memoryMib\":81920}");
        }
        Response r = postJson("/api/v1/servers", "{\"name\":\"" + name + "\",\"rack\":\"" + rack
                + "\",\"cpuMillis\":" + cpuMillis + ",\"memoryMib\":" + memoryMib + ",\"accelerators\":[" + accs + "]}");
        if (r.status() != 201) throw new IllegalStateException(r.body());
        jdbc.update("UPDATE servers SET agent_last_seen = now() + interval '1 day', agent_address = 'localhost' "
                + "WHERE name = ?", name);
    }

    protected long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }
}
