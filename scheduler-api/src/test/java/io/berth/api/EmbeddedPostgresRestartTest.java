package io.berth.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.berth.api.auth.Role;
import io.berth.api.auth.TokenService;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded database keeps its data in the configured directory: a stopped and restarted control plane has it.
 * It is closed (a password every client must give, kept owner-only beside the data) and durable by default.
 */
class EmbeddedPostgresRestartTest {
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * One directory's life, in two starts (each is seconds of initdb, migrations and start-up): created closed and
     * durable; its data there after a restart; and, made into a directory from before passwords in between (trust
     * for everyone, no password file), given a password and rid of trust by that restart.
     */
    @Test
    void dataSurvivesARestartClosedAndDurableAndADirectoryWithoutPasswordGetsOne(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pgdata");
        Path passwordFile = dir.resolve("pgdata.password");
        String admin;
        try (ConfigurableApplicationContext first = start(data)) {
            assertThat(Files.getPosixFilePermissions(passwordFile))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            int port = postgresPort(data);
            assertThat(connect(port, null)).startsWith("refused: ");
            assertThat(connect(port, "wrong")).startsWith("refused: ");
            assertThat(connect(port, Files.readString(passwordFile).strip())).isEqualTo("fsync=on synchronous_commit=on");

            admin = first.getBean(TokenService.class).issue("restart-admin", Role.ADMIN, null, null).token();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(first, "/api/v1/inventory/import"))
                    .header("Content-Type", "application/yaml").header("Authorization", "Bearer " + admin)
                    .POST(HttpRequest.BodyPublishers.ofFile(Path.of("../examples/inventory.yaml"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        assertThat(Files.exists(data.resolve("PG_VERSION"))).isTrue();

        Path hba = data.resolve("pg_hba.conf");
        Files.writeString(hba, "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        Files.delete(passwordFile);
        try (ConfigurableApplicationContext second = start(data)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(second, "/api/v1/servers/dgx-r1-01"))
                            .header("Authorization", "Bearer " + admin).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"model\":\"H100\"");

            String password = Files.readString(passwordFile).strip();
            assertThat(connect(postgresPort(data), null)).startsWith("refused: ");
            assertThat(connect(postgresPort(data), password)).isEqualTo("fsync=on synchronous_commit=on");
            assertThat(Files.readString(hba)).doesNotContain("trust");
        }
    }

    private static int postgresPort(Path data) throws java.io.IOException {
        return Integer.parseInt(Files.readAllLines(data.resolve("postmaster.pid")).get(3).strip());
    }

    /** The durability settings as the server reports them, or why the connection was refused. */
    private static String connect(int port, String password) {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", "postgres");
        if (password != null) props.setProperty("password", password);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://localhost:" + port + "/postgres", props);
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit')")) {
            rs.next();
            return "fsync=" + rs.getString(1) + " synchronous_commit=" + rs.getString(2);
        } catch (java.sql.SQLException e) {
            return "refused: " + e.getMessage();
        }
    }

    private static ConfigurableApplicationContext start(Path data) {
        return new SpringApplicationBuilder(BerthApplication.class)
                .run("--server.port=0", "--berth.embedded-postgres.data-dir=" + data, "--berth.local-agent.enabled=false",
                        "--berth.auth.admin-token-file=" + data.resolveSibling("admin-token"));
    }

    private static URI uri(ConfigurableApplicationContext ctx, String path) {
        return URI.create("http://localhost:" + ctx.getEnvironment().getProperty("local.server.port") + path);
    }
}
