package io.berth.api;

import io.berth.api.db.EmbeddedPostgresConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded database keeps its data in the configured directory: a stopped and restarted control plane has it.
 * It is closed (a password every client must give, kept owner-only beside the data) and durable by default.
 *
 * <p>Each start is the control plane's database layer only: the embedded PostgreSQL's configuration, the data
 * directory check (META-INF/spring.factories) and the migrations, with application.yaml, without the web server and
 * the features above. That the whole control plane keeps its running jobs across a kill and a stop on the same
 * data is ControlPlaneLifecycleTest's.
 */
class EmbeddedPostgresRestartTest {

    @Configuration(proxyBeanMethods = false)
    @Import(EmbeddedPostgresConfiguration.class)
    @ImportAutoConfiguration(FlywayAutoConfiguration.class)
    static class DatabaseLayer {
    }

    /**
     * One directory's life, in two starts (each is seconds of initdb, migrations and start-up): created closed and
     * durable; its data there after a restart; and, made into a directory from before passwords in between (trust
     * for everyone, no password file), given a password and rid of trust by that restart.
     */
    @Test
    void dataSurvivesARestartClosedAndDurableAndADirectoryWithoutPasswordGetsOne(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pgdata");
        Path passwordFile = dir.resolve("pgdata.password");
        try (ConfigurableApplicationContext first = start(data)) {
            assertThat(Files.getPosixFilePermissions(passwordFile))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            int port = postgresPort(data);
            assertThat(connect(port, null)).startsWith("refused: ");
            assertThat(connect(port, "wrong")).startsWith("refused: ");
            assertThat(connect(port, Files.readString(passwordFile).strip())).isEqualTo("fsync=on synchronous_commit=on");

            jdbc(first).update("INSERT INTO zones (name) VALUES ('kept-across-restarts')");
        }
        assertThat(Files.exists(data.resolve("PG_VERSION"))).isTrue();

        Path hba = data.resolve("pg_hba.conf");
        Files.writeString(hba, "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        Files.delete(passwordFile);
        try (ConfigurableApplicationContext second = start(data)) {
            assertThat(jdbc(second).queryForList("SELECT name FROM zones ORDER BY name",
                    String.class)).containsExactly("default", "kept-across-restarts");

            String password = Files.readString(passwordFile).strip();
            assertThat(connect(postgresPort(data), null)).startsWith("refused: ");
            assertThat(connect(postgresPort(data), password)).isEqualTo("fsync=on synchronous_commit=on");
            assertThat(Files.readString(hba)).doesNotContain("trust");
        }
    }

    private static JdbcTemplate jdbc(ConfigurableApplicationContext context) {
        return new JdbcTemplate(context.getBean(DataSource.class));
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
        return new SpringApplicationBuilder(DatabaseLayer.class).web(WebApplicationType.NONE)
                .run("--berth.embedded-postgres.data-dir=" + data);
    }
}
