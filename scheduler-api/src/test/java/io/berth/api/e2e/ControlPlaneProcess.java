package io.berth.api.e2e;

import io.berth.api.BerthApplication;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The control plane as a separate JVM process (the test's own class path, so no packaging is needed), on a fixed
 * port and a data directory that outlive it: it can be killed with SIGKILL, as a crashed machine or an OOM kill
 * would, or stopped with SIGTERM, and started again on the same database.
 */
final class ControlPlaneProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path dir;
    private final int port;
    private final List<String> settings;
    private Process process;
    private int starts;

    /** @param settings extra {@code --name=value} arguments, e.g. a short heartbeat timeout */
    ControlPlaneProcess(Path dir, int port, List<String> settings) {
        this.dir = dir;
        this.port = port;
        this.settings = settings;
    }

    /** On a free port, with agents heartbeating every second and silent after {@code timeoutSeconds}. */
    static ControlPlaneProcess withHeartbeatTimeout(Path dir, int timeoutSeconds) throws IOException {
        return new ControlPlaneProcess(dir, freePort(), List.of("--berth.scheduler.heartbeat-interval-seconds=1",
                "--berth.scheduler.heartbeat-timeout-seconds=" + timeoutSeconds));
    }

    int port() {
        return port;
    }

    /**
     * The flags of the JVMs tests start (control planes, agents): the test JVM's own ({@code test.jvm.flags} in the
     * parent pom, passed on by surefire), or the compiler and GC part of them when run otherwise (benchmarks).
     */
    static List<String> jvmFlags() {
        String flags = System.getProperty("test.jvm.flags", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        return java.util.Arrays.stream(flags.trim().split("\\s+")).filter(f -> !f.isEmpty()).toList();
    }

    /** Starts the control plane and waits until its API answers (the database migrated, the admin token written). */
    void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) throw new IllegalStateException("already running");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
        command.addAll(jvmFlags());
        command.addAll(List.of("-cp", classPath, BerthApplication.class.getName(), "--server.port=" + port,
                "--management.server.port=0", "--berth.embedded-postgres.data-dir=" + dir.resolve("pgdata"),
                "--berth.local-agent.enabled=false",
                "--berth.auth.admin-token-file=" + dir.resolve("admin-token"),
                "--berth.scheduler.checkpoint-root=" + dir.resolve("checkpoints")));
        command.addAll(settings);
        Path log = dir.resolve("control-plane-" + port + "-" + (++starts) + ".log");
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (!answers()) {
            if (!process.isAlive())
                throw new IllegalStateException("control plane exited with " + process.exitValue() + ":\n" + tail(log));
            if (Instant.now().isAfter(deadline)) throw new IllegalStateException("control plane not up:\n" + tail(log));
            Thread.sleep(200);
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs; its embedded PostgreSQL is left running as an orphan. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: a graceful shutdown, as Kubernetes or systemd stop a process. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("control plane did not stop within 60 s of SIGTERM");
        }
    }

    /**
     * Stops the embedded PostgreSQL whose data directory is {@code data} (fast shutdown: sessions are cut, as in a
     * database crash or fail-over) and returns a handle that starts it again with the same command line, logging to
     * a file in {@code logDir}.
     */
    static StoppedDatabase stopDatabase(Path data, Path logDir) throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
        // postmaster.opts holds the server's command line: "/.../bin/postgres" "-D" "/x/pgdata" "-p" "5432" ...
        List<String> command = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)")
                .matcher(Files.readString(data.resolve("postmaster.opts")).strip());
        // PostgreSQL refuses to run as root; zonky then starts it in a user namespace, and so do we
        if ("root".equals(System.getProperty("user.name"))) command.addAll(List.of("unshare", "-U"));
        while (m.find()) command.add(m.group(1) != null ? m.group(1) : m.group(2));
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
        postmaster.onExit().join();
        return new StoppedDatabase(command, logDir.resolve("postgres-restarted.log"));
    }

    /** A stopped database; {@link #restart()} brings it back on the same port and data. */
    record StoppedDatabase(List<String> command, Path log) {
        void restart() throws IOException {
            new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .start();
        }
    }

    String adminToken() throws IOException {
        return Files.readString(dir.resolve("admin-token")).strip();
    }

    String log() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int i = 1; i <= starts; i++) all.append(Files.readString(dir.resolve("control-plane-" + port + "-" + i + ".log")));
        return all.toString();
    }

    /** The ERROR lines of a log, each with the 12 lines after it (the stack trace's top), for failure messages. */
    static String errors(String log) {
        List<String> lines = log.lines().toList();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).contains(" ERROR ")) continue;
            lines.subList(i, Math.min(lines.size(), i + 13)).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    /**
     * A free port outside the usual ephemeral range (32768-60999 on Linux), so that no outgoing connection takes it
     * between this check and a later restart of the control plane on it.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(10_000);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port)) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in 20000-29999");
    }

    private boolean answers() {
        try {
            if (!Files.exists(dir.resolve("admin-token"))) return false;
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/api/v1/servers")).header("Authorization", "Bearer " + adminToken())
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Stops the control plane and keeps its logs under target/control-plane-logs for a person to read. */
    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) stop();
        Path kept = Path.of("target", "control-plane-logs");
        Files.createDirectories(kept);
        for (int i = 1; i <= starts; i++) {
            Path log = dir.resolve("control-plane-" + port + "-" + i + ".log");
            if (Files.exists(log)) Files.copy(log, kept.resolve(dir.getFileName() + "-" + i + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
