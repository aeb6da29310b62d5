package io.berth.api.e2e;

import org.junit.jupiter.api.Test;
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
import static org.awaitility.Awaitility.await;

/**
 * What a person sees when the control plane starts: one line naming the API, its Swagger UI, the health URL on the
 * management port and the admin token's file, each of which answers; and none of PostgreSQL's own output, which goes
 * to {@code <data-dir>.log} instead.
 */
class StartupLineTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startUpEndsWithOneLineThatNamesWorkingAddressesAndTheTokenFile(@TempDir Path dir) throws Exception {
        try (ControlPlaneProcess cp = new ControlPlaneProcess(dir, ControlPlaneProcess.freePort(), List.of())) {
            cp.start();
            List<String> ready = await().atMost(Duration.ofSeconds(60))
                    .until(() -> cp.log().lines().filter(l -> l.contains("Berth is ready")).toList(), l -> !l.isEmpty());
            assertThat(ready).hasSize(1);
            String line = ready.get(0);
            String api = "http://localhost:" + cp.port();
            assertThat(line).contains("Berth is ready: dashboard " + api + "/, API " + api + "/api/v1 (Swagger UI " + api
                    + "/swagger-ui/index.html), health http://localhost:")
                    .endsWith(", admin token in " + dir.resolve("admin-token").toAbsolutePath());

            Matcher health = Pattern.compile("health (http://localhost:\\d+/actuator/health)").matcher(line);
            assertThat(health.find()).isTrue();
            assertThat(health.group(1)).doesNotContain(":" + cp.port() + "/"); // the management port, not the API's
            HttpResponse<String> dashboard = get(api + "/");
            assertThat(dashboard.statusCode()).isEqualTo(200);
            assertThat(dashboard.body()).contains("<title>Berth</title>");
            HttpResponse<String> up = get(health.group(1));
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.body()).contains("\"UP\"");
            assertThat(get(api + "/swagger-ui/index.html").statusCode()).isEqualTo(200);

            // initdb and the server write about 60 lines per start: none reach our log, all reach <data-dir>.log
            String log = cp.log();
            assertThat(log).doesNotContain("The files belonging to this database system")
                    .doesNotContain("database system is ready to accept connections");
            String pgOutput = Files.readString(dir.resolve("pgdata.log"));
            assertThat(pgOutput).contains("The files belonging to this database system")
                    .contains("database system is ready to accept connections");
            assertThat(log).contains("its output in " + dir.resolve("pgdata.log"));
            assertThat(log.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))).isEmpty();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
