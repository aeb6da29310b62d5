package io.berth.api.e2e;

import io.berth.api.ApiTestBase;
import io.berth.cli.Berth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The berth CLI against this control plane and one node agent process ({@value #SERVER}, 4 simulated GPUs, started
 * once for the class): every command runs through the CLI's real entry point ({@link Berth#run}) in this JVM, and
 * one test runs bin/berth as a separate process (the CLI jar is packaged before this module's tests). Each test uses
 * its own tenant. The base class empties the inventory before each test; the agent, told its server is unknown,
 * registers it again, and each test starts once it has.
 */
class CliEndToEndTest extends ApiTestBase {
    private static final String SERVER = "sim-1";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;
    private static AgentProcesses agent;

    /** One command line's exit code and output. */
    private record CliRun(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    @BeforeEach
    void agentRegistered() throws Exception {
        if (agent == null) {
            agent = new AgentProcesses(dir, port, tokens);
            agent.start(SERVER, 4);
        }
        agent.await(Duration.ofSeconds(60), () -> ok("nodes").out().contains("READY   yes"));
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) agent.close();
        agent = null;
    }

    private String url() {
        return "http://localhost:" + port;
    }

    private CliRun berth(String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("BERTH_SERVER", url());
        env.put("BERTH_TOKEN", token);
        env.put("BERTH_CONFIG", dir.resolve("no-config").toString());
        return run(env, args);
    }

    private static CliRun run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Berth.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private CliRun ok(String... args) {
        CliRun r = berth(args);
        assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    /** The jobs of a tenant, newest first, as the API returns them through {@code list -a -o json}. */
    private List<JsonNode> jobs(String tenant) {
        JsonNode page = JSON.readTree(ok("list", "-a", "--tenant", tenant, "-o", "json").out());
        List<JsonNode> jobs = new ArrayList<>();
        page.path("items").forEach(jobs::add);
        return jobs;
    }

    private String state(String tenant, String name) {
        return jobs(tenant).stream().filter(j -> j.path("name").asString().equals(name)).findFirst()
                .map(j -> j.path("state").asString()).orElse("?");
    }

    private void awaitState(String tenant, String name, String state) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> state(tenant, name).equals(state));
    }

    @Test
    void submitsFromAFileFromFlagsAndAsAnArrayAndListsWithFilters() throws IOException {
        Path spec = dir.resolve("file-job.yaml");
        Files.writeString(spec, """
                name: file-job
                tenant: t-submit
                taskGroups:
                  - {name: main, replicas: 1, cpuMillis: 100, memoryMib: 64}
                runtime:
                  type: process
                  process: {argv: [sh, -c, "echo from the file"]}
                """);
        assertThat(ok("submit", spec.toString()).out()).matches("submitted job file-job [0-9a-f-]{36}\\n");
        ok("submit", "--name", "flag-job", "--tenant", "t-submit", "--cpus", "0.5", "--mem", "256M", "--gpus", "1",
                "--priority", "7", "--", "sh", "-c", "echo gpus=$CUDA_VISIBLE_DEVICES");
        CliRun array = ok("submit", "--name", "sweep", "--tenant", "t-submit", "--array", "0-2", "--cpus", "100m",
                "--mem", "64", "--", "sh", "-c", "echo index=$BERTH_ARRAY_INDEX of $BERTH_ARRAY_COUNT");
        assertThat(array.out().lines().map(l -> l.replaceAll(" [0-9a-f-]{36}$", "")).toList())
                .containsExactly("submitted job sweep-0", "submitted job sweep-1", "submitted job sweep-2");

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                jobs("t-submit").stream().filter(j -> j.path("state").asString().equals("SUCCEEDED")).count() == 5);
        assertThat(ok("logs", "file-job").out()).isEqualTo("from the file\n");
        assertThat(ok("logs", "sweep-1").out()).isEqualTo("index=1 of 3\n");
        assertThat(ok("logs", "flag-job").out()).matches("gpus=[0-3]\\n");

        JsonNode flagJob = JSON.readTree(ok("describe", "flag-job", "-o", "json").out());
        JsonNode group = flagJob.path("spec").path("taskGroups").get(0);
        // --cpus 0.5 = 500 millicores, --mem 256M = 256 MiB
        assertThat(List.of(flagJob.path("priority").asInt(), group.path("cpuMillis").asInt(),
                group.path("memoryMib").asInt(), group.path("gpus").asInt())).containsExactly(7, 500, 256, 1);
        assertThat(ok("describe", "flag-job", "-o", "yaml").out()).contains("flag-job").contains("taskGroups:");

        // without --state only active jobs are listed; these have all ended
        assertThat(ok("list", "--tenant", "t-submit").out()).isEqualTo("No jobs.\n");
        String succeeded = ok("list", "--tenant", "t-submit", "--state", "succeeded", "--name", "sweep-0").out();
        assertThat(succeeded.lines().toList()).hasSize(2);
        assertThat(succeeded).contains("sweep-0").doesNotContain("sweep-1");
        assertThat(succeeded.lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("ID", "NAME", "TENANT", "STATE", "PRIO", "GPUS", "AGE", "NODES", "REASON");
        assertThat(ok("list", "-a", "--tenant", "t-submit", "--state", "FAILED").out()).isEqualTo("No jobs.\n");
        assertThat(ok("list", "-a", "--tenant", "t-other").out()).isEqualTo("No jobs.\n");
        assertThat(ok("queue", "-a", "--tenant", "t-submit", "--watch", "--interval", "1", "--watch-times", "2",
                "-o", "wide").out()).contains("\033[H\033[2J").containsPattern("flag-job +t-submit +SUCCEEDED +7 +1 ");
    }

    @Test
    void usageReportsWhatFinishedJobsUsedPerJobAndTenant() {
        ok("submit", "--name", "accounted", "--tenant", "t-usage", "--cpus", "2", "--mem", "64", "--gpus", "1", "--",
                "sh", "-c", "sleep 2");
        awaitState("t-usage", "accounted", "SUCCEEDED");
        // the record is written when the worker releases its resources, in the heartbeat that reports the end
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() ->
                JSON.readTree(ok("usage", "--by", "job", "-S", "1h", "-o", "json").out()).path("groups")
                        .valueStream().anyMatch(g -> g.path("jobName").asString().equals("accounted")));

        JsonNode byJob = JSON.readTree(ok("usage", "--by", "job", "-S", "1h", "-o", "json").out());
        JsonNode job = byJob.path("groups").valueStream().filter(g -> g.path("jobName").asString().equals("accounted"))
                .findFirst().orElseThrow();
        // one whole GPU and 2 cores held for about the job's 2 s (plus placement and reporting): GPU-hours = time
        assertThat(job.path("gpuHours").asDouble()).isGreaterThan(0).isLessThan(0.05);
        assertThat(job.path("cpuHours").asDouble()).isCloseTo(2 * job.path("gpuHours").asDouble(),
                org.assertj.core.api.Assertions.within(0.002));
        assertThat(job.path("tenant").asString()).isEqualTo("t-usage");
        assertThat(job.path("state").asString()).isEqualTo("SUCCEEDED");

        String table = ok("usage", "-S", "1h").out();
        assertThat(table).startsWith("Usage from ").containsPattern("(?m)^t-usage +1 +0\\.\\d{3} ")
                .containsPattern("(?m)^TOTAL +\\d+ ");
        assertThat(ok("usage", "--by", "job", "--from", "2000-01-01", "--to", "2000-01-02").out())
                .endsWith("No usage recorded in this period.\n");
        CliRun bad = berth("usage", "--from", "yesterday");
        assertThat(bad.code()).isEqualTo(Berth.USAGE);
        assertThat(bad.err()).startsWith("berth: --from: expected 2026-12-01");
        CliRun refused = berth("usage", "--by", "rack");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(Berth.REFUSED);
        assertThat(refused.err()).contains("groupBy");
    }

    @Test
    void aSpecFileRunsInTheWorkingDirectoryTheCommandLineGives() throws IOException {
        Path spec = dir.resolve("where.yaml");
        Files.writeString(spec, """
                name: where
                tenant: t-workdir
                taskGroups:
                  - {name: main, replicas: 1, cpuMillis: 100, memoryMib: 64}
                runtime:
                  type: process
                  process: {argv: [pwd], workingDir: /nonexistent}
                """);
        Path workDir = Files.createDirectories(dir.resolve("work here"));
        ok("submit", spec.toString(), "--workdir", workDir.toString());
        awaitState("t-workdir", "where", "SUCCEEDED");
        assertThat(ok("logs", "where").out()).isEqualTo(workDir.toRealPath() + "\n");

        Path embedded = dir.resolve("embedded.yaml");
        Files.writeString(embedded, "name: e\ntenant: t\ntaskGroups: [{name: g, cpuMillis: 100, memoryMib: 64}]\n"
                + "runtime: {type: embedded, embedded: {}}\n");
        CliRun refused = berth("submit", embedded.toString(), "--workdir", "/tmp");
        assertThat(refused.code()).isEqualTo(Berth.USAGE);
        assertThat(refused.err()).contains("--workdir needs a process runtime");
    }

    @Test
    void dryRunSaysWhereAJobWouldRunAndStoresNothing() {
        CliRun now = ok("submit", "--dry-run", "--name", "dry", "--tenant", "t-dry", "--gpus", "1", "--cpus", "0.1",
                "--mem", "64", "--", "true");
        assertThat(now.out()).matches("job dry would start now on \\S+ GPU [0-3]\n");
        JsonNode json = JSON.readTree(ok("submit", "--dry-run", "--name", "dry", "--tenant", "t-dry", "--gpus", "1",
                "--cpus", "0.1", "--mem", "64", "-o", "json", "--", "true").out());
        assertThat(json.path("runsNow").asBoolean()).isTrue();
        assertThat(json.path("placement")).hasSize(1);
        assertThat(ok("list", "-a", "--tenant", "t-dry").out()).isEqualTo("No jobs.\n");

        CliRun never = berth("submit", "--dry-run", "--name", "huge", "--tenant", "t-dry", "--gpus", "64", "--", "true");
        assertThat(never.code()).as(never.toString()).isEqualTo(Berth.REFUSED);
        assertThat(never.err()).startsWith("berth: ").contains("64 GPUs");
        assertThat(berth("submit", "--dry-run", "--array", "0-1", "--", "true").code()).isEqualTo(Berth.USAGE);
    }

    @Test
    void describeShowsAWaitingJobsQueuePositionAndWhy() {
        ok("quota", "set", "t-wait", "--gpus", "1");
        ok("submit", "--name", "first", "--tenant", "t-wait", "--gpus", "1", "--cpus", "0.1", "--mem", "64", "--time",
                "2", "--", "sleep", "60");
        awaitState("t-wait", "first", "RUNNING");
        ok("submit", "--name", "second", "--tenant", "t-wait", "--gpus", "1", "--cpus", "0.1", "--mem", "64", "--",
                "true");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() ->
                ok("describe", "second").out().contains("Pending reason:"));
        String waiting = ok("describe", "second").out();
        assertThat(waiting).containsPattern("(?m)^Queue position: +\\d+$").contains("quota");
        ok("cancel", "first", "second");
        ok("quota", "delete", "t-wait");
    }

    @Test
    void cordonWithAReasonShowsItUntilUncordon() {
        try {
            assertThat(ok("cordon", "sim-1", "--reason", "burn-in test").out()).isEqualTo("node sim-1 CORDONED (burn-in test)\n");
            assertThat(ok("nodes").out()).containsPattern("sim-1 +CORDONED +yes .* burn-in test\n");
            assertThat(ok("describe", "node", "sim-1").out()).contains("Reason:         burn-in test");
        } finally {
            assertThat(ok("uncordon", "sim-1").out()).isEqualTo("node sim-1 READY\n");
        }
        assertThat(ok("nodes").out()).doesNotContain("burn-in");
    }

    @Test
    void logsFollowPrintsLinesUntilTheJobEnds() {
        ok("submit", "--name", "talker", "--tenant", "t-logs", "--cpus", "0.1", "--mem", "64", "--", "sh", "-c",
                "for i in 1 2 3; do echo line $i; sleep 1; done");
        CliRun followed = ok("logs", "-f", "talker");
        assertThat(followed.out()).isEqualTo("line 1\nline 2\nline 3\n");
        assertThat(state("t-logs", "talker")).isEqualTo("SUCCEEDED");
        assertThat(ok("logs", "--prefix", "talker").out()).startsWith("[rank 0] line 1\n");
    }

    @Test
    void holdReleaseRequeueAndCancelByNameDescribeAndNodes() {
        ok("submit", "--name", "blocker", "--tenant", "t-ctl", "--gpus", "1", "--cpus", "0.1", "--mem", "64", "--",
                "sleep", "600");
        awaitState("t-ctl", "blocker", "RUNNING");
        ok("submit", "--name", "big", "--tenant", "t-ctl", "--gpus", "4", "--cpus", "0.1", "--mem", "64", "--",
                "sleep", "600");
        assertThat(ok("list", "--tenant", "t-ctl", "--name", "big").out()).contains("QUEUED");

        assertThat(ok("hold", "big").out()).matches("job big [0-9a-f-]{36} held \\(HELD\\)\\n");
        assertThat(ok("list", "--tenant", "t-ctl", "--state", "HELD").out()).contains("big").contains("held by");
        CliRun again = berth("hold", "big");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).startsWith("berth: Conflict: job big (").contains("is HELD: only a QUEUED job can be held")
                .hasLineCount(1);
        assertThat(ok("release", "big").out()).contains("released (QUEUED)");

        // one GPU of four held by blocker
        assertThat(ok("nodes").out()).containsPattern("sim-1 +READY +yes +SIM-1 3/4 +0.1/8 +0.1/16Gi");
        assertThat(ok("describe", "node", "sim-1").out()).containsPattern("blocker \\(t-ctl, rank 0, 1 GPU, job [0-9a-f]{8}\\)")
                .contains("Agent:          connected");
        String blocker = ok("describe", "blocker").out();
        assertThat(blocker).contains("State:          RUNNING").contains("Command:        sleep 600")
                .containsPattern("0 +main +sim-1 +[0-3] +RUNNING").contains("placed on sim-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> ok("describe", "big").out().contains("Pending reason:"));
        assertThat(ok("describe", "big").out()).contains("State:          QUEUED");

        ok("cancel", "blocker");
        awaitState("t-ctl", "big", "RUNNING");
        assertThat(ok("requeue", "big").out()).contains("requeued (QUEUED)");
        awaitState("t-ctl", "big", "RUNNING");
        assertThat(jobs("t-ctl").get(0).path("attempt").asInt()).isEqualTo(2);

        // two active jobs of one name: the name is ambiguous and nothing is changed
        ok("submit", "--name", "twin", "--tenant", "t-ctl", "--cpus", "0.1", "--mem", "64", "--", "sleep", "600");
        ok("submit", "--name", "twin", "--tenant", "t-ctl", "--cpus", "0.1", "--mem", "64", "--", "sleep", "600");
        CliRun ambiguous = berth("cancel", "big", "twin");
        assertThat(ambiguous.code()).isEqualTo(2);
        assertThat(ambiguous.err()).startsWith("berth: job name 'twin' is ambiguous: 2 active jobs have it").hasLineCount(1);
        assertThat(state("t-ctl", "big")).isEqualTo("RUNNING");
        List<String> twins = jobs("t-ctl").stream().filter(j -> j.path("name").asString().equals("twin"))
                .map(j -> j.path("id").asString()).toList();
        List<String> cancel = new ArrayList<>(List.of("cancel", "big"));
        cancel.addAll(twins);
        assertThat(ok(cancel.toArray(String[]::new)).out().lines()).hasSize(3).allMatch(l -> l.endsWith("cancelled (CANCELLED)"));
        // a name whose jobs all ended names the newest
        assertThat(JSON.readTree(ok("describe", "twin", "-o", "json").out()).path("id").asString())
                .isEqualTo(twins.get(0));
    }

    @Test
    void errorsAreOneLineWithTheirExitCodes() {
        record Case(String what, int code, String errStart, Map<String, String> env, String... args) {
        }
        Map<String, String> unreachable = Map.of("BERTH_SERVER", "http://localhost:1", "BERTH_TOKEN", "x",
                "BERTH_CONFIG", dir.resolve("none").toString());
        Map<String, String> badToken = Map.of("BERTH_SERVER", url(), "BERTH_TOKEN", "wrong",
                "BERTH_CONFIG", dir.resolve("none").toString());
        Map<String, String> noServer = Map.of("BERTH_CONFIG", dir.resolve("none").toString(), "HOME",
                dir.toString());
        List<Case> cases = List.of(
                new Case("unknown job id", 1, "berth: Not Found: job '00000000-0000-0000-0000-000000000000' not found",
                        null, "describe", "00000000-0000-0000-0000-000000000000"),
                new Case("unknown job name", 1, "berth: Not Found: job 'no-such-job' not found", null,
                        "cancel", "no-such-job"),
                new Case("never fits", 1, "berth: Unprocessable Content: the job can never fit this cluster: the job "
                        + "needs 8 GPUs and the cluster has 4 GPUs", null, "submit", "--name", "huge", "--tenant", "t-err", "--gpus", "8",
                        "--", "true"),
                new Case("invalid spec", 1, "berth: Bad Request", null, "submit", "--name", "-bad-", "--tenant",
                        "t-err", "--", "true"),
                new Case("bad flag value", 2, "berth: Invalid value for option '--cpus'", null, "submit", "--cpus",
                        "lots", "--", "true"),
                new Case("unknown verb", 2, "berth: Unmatched argument at index 0: 'frobnicate'", null, "frobnicate"),
                new Case("missing file", 2, "berth: cannot read", null, "submit", "no-such-file.yaml"),
                new Case("no server", 2, "berth: no server: run 'berth login --server URL' or set BERTH_SERVER",
                        noServer, "list"),
                new Case("server unreachable", 3, "berth: cannot reach http://localhost:1: connection refused",
                        unreachable, "list"),
                new Case("bad token", 1, "berth: Unauthorized", badToken, "list"));
        for (Case c : cases) {
            CliRun r = c.env() == null ? berth(c.args()) : run(c.env(), c.args());
            assertThat(r.code()).as(c.what() + "\n" + r).isEqualTo(c.code());
            assertThat(r.err()).as(c.what()).startsWith(c.errStart()).hasLineCount(1);
            assertThat(r.out()).as(c.what()).isEmpty();
        }
        // a field error already in the detail is not repeated
        assertThat(berth("submit", "--name", "-bad-", "--tenant", "t-err", "--", "true").err())
                .isEqualTo("berth: Bad Request: name: must be 1-128 letters, digits, '.', '_' or '-', starting and "
                        + "ending with a letter or digit\n");
    }

    @Test
    void binBerthLogsInAndRunsAsARealProcess() throws Exception {
        Path config = dir.resolve("home/.config/berth/config");
        Process login = berthProcess(Map.of("HOME", dir.resolve("home").toString(),
                "BERTH_TOKEN", token), "login", "--server", url() + "/");
        assertThat(finish(login)).isEqualTo("logged in to " + url() + "; server and token saved in " + config + "\n");
        assertThat(login.exitValue()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent()))).isEqualTo("rwx------");

        // from the config file alone
        Process nodes = berthProcess(Map.of("HOME", dir.resolve("home").toString()), "nodes", "-o", "json");
        JsonNode answer = JSON.readTree(finish(nodes));
        assertThat(nodes.exitValue()).isZero();
        assertThat(answer.path("servers").get(0).path("server").asString()).isEqualTo(SERVER);

        Process wrong = berthProcess(Map.of("HOME", dir.resolve("home").toString(), "BERTH_TOKEN", "wrong"),
                "list");
        finish(wrong);
        assertThat(wrong.exitValue()).isEqualTo(1);
        assertThat(new String(wrong.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("berth: Unauthorized: a valid bearer token is required\n");
    }

    private static Process berthProcess(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("..", "bin", "berth").toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command);
        b.environment().keySet().removeIf(k -> k.startsWith("BERTH_") || k.equals("XDG_CONFIG_HOME"));
        b.environment().putAll(env);
        return b.start();
    }

    private static String finish(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/berth did not finish");
        }
        return out;
    }
}
