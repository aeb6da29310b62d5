package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.BerthApplication;
import io.berth.api.auth.Role;
import io.berth.api.auth.TokenService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A control-plane restart loses nothing: a job running on a real agent process keeps running while the control
 * plane is down, and the restarted control plane (same database, same port) picks it up and sees it succeed.
 */
class ControlPlaneRestartTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void runningJobSurvivesAControlPlaneRestart(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String admin;
        String jobId;
        try (ConfigurableApplicationContext first = start(dir, port);
             AgentProcesses agents = new AgentProcesses(dir, port, first.getBean(TokenService.class))) {
            admin = first.getBean(TokenService.class).issue("admin", Role.ADMIN, null, null).token();
            agents.start("solo", 1);
            await(Duration.ofSeconds(60), () -> get(port, admin, "/api/v1/servers/solo").statusCode() == 200);
            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/jobs"))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"name":"long","tenant":"t","taskGroups":[{"name":"g","replicas":1,"cpuMillis":500,"memoryMib":256}],
                             "runtime":{"type":"process","process":{"argv":["sh","-c","sleep 12; echo done"]}}}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            jobId = JsonPath.read(submitted.body(), "$.id");
            String id = jobId;
            await(Duration.ofSeconds(60), () -> state(port, admin, id).equals("RUNNING"));

            first.close(); // the agent keeps running its worker and retries the control plane

            Thread.sleep(2000);
            try (ConfigurableApplicationContext second = start(dir, port)) {
                await(Duration.ofSeconds(90), () -> state(port, admin, id).equals("SUCCEEDED"));
                String detail = get(port, admin, "/api/v1/jobs/" + id).body();
                assertThat((Integer) JsonPath.read(detail, "$.attempt")).isEqualTo(1);
                assertThat((Integer) JsonPath.read(detail, "$.failures")).isZero();
            }
        }
    }

    private static ConfigurableApplicationContext start(Path dir, int port) {
        return new SpringApplicationBuilder(BerthApplication.class).run("--server.port=" + port,
                "--berth.embedded-postgres.data-dir=" + dir.resolve("pgdata"), "--berth.local-agent.enabled=false",
                "--berth.auth.admin-token-file=" + dir.resolve("admin-token"),
                "--berth.scheduler.heartbeat-interval-seconds=1", "--berth.scheduler.heartbeat-timeout-seconds=30");
    }

    private HttpResponse<String> get(int port, String token, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String state(int port, String token, String id) {
        HttpResponse<String> r = get(port, token, "/api/v1/jobs/" + id);
        return r.statusCode() == 200 ? JsonPath.read(r.body(), "$.state") : "?";
    }

    private static void await(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("condition not met within " + timeout);
            Thread.sleep(200);
        }
    }
}
