package io.berth.api.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Starting the control plane as a person does, as a separate process on a fresh data directory (started once for
 * both tests: a start is the expensive part). What the person sees; and a second control plane on the same
 * directory. (An orphaned PostgreSQL of a killed control plane is stopped and the start goes on: see
 * {@link ControlPlaneRestartTest}.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneStartTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static ControlPlaneProcess live;

    @BeforeAll
    static void startOnAFreshDirectory() throws Exception {
        live = new ControlPlaneProcess(dir, ControlPlaneProcess.freePort(), List.of());
        live.start();
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
    }

    /**
     * One line names the API, its Swagger UI, the health URL on the management port and the admin token's file, each
     * of which answers; none of PostgreSQL's own output reaches the log, which goes to {@code <data-dir>.log} instead.
     */
    @Test
    @Order(1)
    void startUpEndsWithOneLineThatNamesWorkingAddressesAndTheTokenFile() throws Exception {
        List<String> ready = await().atMost(Duration.ofSeconds(60))
                .until(() -> live.log().lines().filter(l -> l.contains("Berth is ready")).toList(), l -> !l.isEmpty());
        assertThat(ready).hasSize(1);
        String line = ready.get(0);
        String api = "http://localhost:" + live.port();
        assertThat(line).contains("Berth is ready: dashboard " + api + "/, API " + api + "/api/v1 (Swagger UI " + api
                        + "/swagger-ui/index.html), health http://localhost:")
                .endsWith(", admin token in " + dir.resolve("admin-token").toAbsolutePath());

        Matcher health = Pattern.compile("health (http://localhost:\\d+/actuator/health)").matcher(line);
        assertThat(health.find()).isTrue();
        assertThat(health.group(1)).doesNotContain(":" + live.port() + "/"); // the management port, not the API's
        HttpResponse<String> dashboard = get(api + "/");
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body()).contains("<title>Berth</title>");
        HttpResponse<String> up = get(health.group(1));
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).contains("\"UP\"");
        assertThat(get(api + "/swagger-ui/index.html").statusCode()).isEqualTo(200);

        // initdb and the server write about 60 lines per start: none reach our log, all reach <data-dir>.log
        String log = live.log();
        assertThat(log).doesNotContain("The files belonging to this database system")
                .doesNotContain("database system is ready to accept connections");
        String pgOutput = Files.readString(dir.resolve("pgdata.log"));
        assertThat(pgOutput).contains("The files belonging to this database system")
                .contains("database system is ready to accept connections");
        assertThat(log).contains("its output in " + dir.resolve("pgdata.log"));
        assertThat(log.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))).isEmpty();
    }

    /**
     * A second control plane on the data directory of a live one stops at start-up with one clear message naming the
     * live one's pid, and the live one is not disturbed: its PostgreSQL (which a start takes for an orphan when nobody
     * holds the directory's lock) still runs and it still writes.
     */
    @Test
    @Order(2)
    void aSecondControlPlaneOnALiveDirectoryStopsWithTheHoldersPid() throws Exception {
        String postmaster = Files.readAllLines(dir.resolve("pgdata").resolve("postmaster.pid")).get(0);
        try (ControlPlaneProcess second = new ControlPlaneProcess(dir, ControlPlaneProcess.freePort(), List.of())) {
            assertThatThrownBy(second::start).hasMessageContaining("control plane exited with 1")
                    .hasMessageContaining("the embedded PostgreSQL data directory " + dir.resolve("pgdata")
                            + " is in use by another running control plane (pid " + live.pid() + ")")
                    .hasMessageNotContaining("Exception"); // the failure analysis, not a stack trace
        }
        assertThat(Files.readAllLines(dir.resolve("pgdata").resolve("postmaster.pid")).get(0)).isEqualTo(postmaster);
        assertThat(ProcessHandle.of(Long.parseLong(postmaster.strip())).map(ProcessHandle::isAlive)).contains(true);
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + live.port()
                        + "/api/v1/zones")).header("Authorization", "Bearer " + live.adminToken())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"after\"}"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
