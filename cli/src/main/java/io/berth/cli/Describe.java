package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code describe JOB}, {@code describe job JOB}, {@code describe node NAME} (scontrol show / kubectl describe). */
@Command(name = "describe", description = {"Show one job (placement, workers, events, pending reason) or one node "
        + "(per-GPU allocation and holders).", "",
        "  berth describe JOB", "  berth describe node NAME", "", JobCommands.JOB_RULE})
final class Describe implements Callable<Integer> {
    @ParentCommand
    Berth root;
    @Parameters(arity = "1..2", paramLabel = "[job|node] NAME")
    List<String> args;
    @Mixin
    Out.Formats formats;

    @Override
    public Integer call() {
        String kind = args.size() == 2 ? args.get(0) : "job";
        String name = args.get(args.size() - 1);
        Api api = root.api();
        switch (kind) {
            case "job", "jobs" -> job(api, name);
            case "node", "nodes", "server" -> node(api, name);
            default -> throw Berth.CliException.usage("describe job JOB or describe node NAME, not '" + kind + "'");
        }
        return Berth.OK;
    }

    private void job(Api api, String ref) {
        JsonNode j = api.get("/api/v1/jobs/" + Jobs.resolve(api, ref));
        if (Out.structured(root.out, formats, j)) return;
        PrintStream out = root.out;
        Instant now = Instant.now();
        field(out, "Name", Out.text(j, "name", ""));
        field(out, "ID", Out.text(j, "id", ""));
        field(out, "Tenant", Out.text(j, "tenant", ""));
        field(out, "Priority", Out.text(j, "priority", ""));
        field(out, "State", Out.text(j, "state", ""));
        String pending = Out.text(j, "pendingReason", null);
        if (pending != null) field(out, "Pending reason", pending);
        if (j.hasNonNull("queuePosition")) field(out, "Queue position", Out.text(j, "queuePosition", ""));
        if (j.hasNonNull("estimatedStartAt")) field(out, "Probable start", Out.text(j, "estimatedStartAt", ""));
        String message = Out.text(j, "message", null);
        if (message != null) field(out, "Message", message);
        field(out, "Attempt", Out.text(j, "attempt", "0") + " (failures " + Out.text(j, "failures", "0") + ", retries "
                + Out.text(j, "retries", "0") + ")");
        String maxRun = Out.text(j, "maxRunSeconds", null);
        if (maxRun != null) field(out, "Max run time", maxRun + "s");
        for (String[] t : new String[][]{{"Created", "createdAt"}, {"Started", "startedAt"}, {"Finished", "finishedAt"}}) {
            String at = Out.text(j, t[1], null);
            if (at != null) field(out, t[0], at + " (" + Out.age(at, now) + " ago)");
        }
        JsonNode spec = j.path("spec");
        out.println("Task groups:");
        for (JsonNode g : spec.path("taskGroups")) {
            List<String> models = new ArrayList<>();
            g.path("acceleratorModels").forEach(m -> models.add(m.asString()));
            long milli = g.path("milliGpu").asLong(1000);
            out.println("  " + Out.text(g, "name", "") + ": " + Out.text(g, "replicas", "1") + " x ("
                    + g.path("gpus").asLong(0) + " GPU" + (milli < 1000 && g.path("gpus").asLong(0) > 0 ? " at " + milli + "m" : "")
                    + (models.isEmpty() ? "" : " " + String.join("|", models)) + ", "
                    + Out.milli(g.path("cpuMillis").asLong()) + " CPU, " + Out.gib(g.path("memoryMib").asLong())
                    + " GiB)");
        }
        JsonNode process = spec.path("runtime").path("process");
        if (process.isObject()) {
            List<String> argv = new ArrayList<>();
            process.path("argv").forEach(a -> argv.add(a.asString()));
            field(out, "Command", String.join(" ", argv));
        } else {
            JsonNode embedded = spec.path("runtime").path("embedded");
            field(out, "Runtime", Out.text(spec.path("runtime"), "type", "") + " (model "
                    + Out.text(embedded.path("model"), "type", "?") + ", " + Out.text(embedded, "epochs", "?")
                    + " epochs)");
        }
        out.println("Placement:");
        Out.Table workers = new Out.Table("RANK", "GROUP", "NODE", "GPUS", "STATE", "EXIT", "MESSAGE");
        for (JsonNode w : j.path("placement")) {
            List<String> gpus = new ArrayList<>();
            w.path("gpuIndices").forEach(g -> gpus.add(g.asString()));
            long milli = w.path("milliGpu").asLong(1000);
            workers.row(Out.text(w, "rank", ""), Out.text(w, "taskGroup", ""), Out.text(w, "server", ""),
                    gpus.isEmpty() ? "-" : String.join(",", gpus) + (milli > 0 && milli < 1000 ? " (" + milli + "m)" : ""),
                    Out.text(w, "state", ""), Out.text(w, "exitCode", ""), Out.cut(Out.text(w, "message", ""), 60));
        }
        indented(out, workers, "(not placed)");
        JsonNode metrics = j.path("metrics");
        if (!metrics.isEmpty()) {
            JsonNode last = metrics.get(metrics.size() - 1);
            field(out, "Last epoch", Out.text(last, "epoch", "") + ": loss "
                    + String.format(java.util.Locale.ROOT, "%.4f", last.path("loss").asDouble())
                    + (last.hasNonNull("accuracy") ? String.format(java.util.Locale.ROOT, ", accuracy %.4f",
                    last.path("accuracy").asDouble()) : ""));
        }
        out.println("Events:");
        Out.Table events = new Out.Table("AGE", "FROM", "TO", "REASON");
        for (JsonNode e : j.path("events")) {
            events.row(Out.age(Out.text(e, "at", null), now), Out.text(e, "from", "-"), Out.text(e, "to", ""),
                    Berth.oneLine(Out.text(e, "reason", "")));
        }
        indented(out, events, "(none)");
    }

    private void node(Api api, String name) {
        JsonNode n = api.get("/api/v1/servers/" + Api.seg(name) + "/allocation");
        if (Out.structured(root.out, formats, n)) return;
        PrintStream out = root.out;
        field(out, "Name", Out.text(n, "server", name));
        field(out, "Rack", Out.text(n, "rack", ""));
        field(out, "State", Out.text(n, "state", ""));
        if (n.hasNonNull("stateReason")) field(out, "Reason", Out.text(n, "stateReason", ""));
        String age = Out.text(n, "agentHeartbeatAgeSeconds", null);
        field(out, "Agent", n.path("agentConnected").asBoolean() ? "connected (heartbeat " + age + "s ago)"
                : age == null ? "never registered" : "not connected (last heartbeat " + age + "s ago)");
        field(out, "CPU", Out.milli(n.path("cpuMillis").path("allocated").asLong()) + " of "
                + Out.milli(n.path("cpuMillis").path("capacity").asLong()) + " cores allocated");
        field(out, "Memory", Out.gib(n.path("memoryMib").path("allocated").asLong()) + " of "
                + Out.gib(n.path("memoryMib").path("capacity").asLong()) + " GiB allocated");
        out.println("Accelerators:");
        Out.Table t = new Out.Table("INDEX", "MODEL", "MEMORY", "HEALTH", "ALLOCATED", "HOLDERS");
        for (JsonNode a : n.path("accelerators")) {
            List<String> holders = new ArrayList<>();
            for (JsonNode h : a.path("holders")) {
                holders.add(Out.text(h, "jobName", "?") + " (" + Out.text(h, "tenant", "?") + ", rank "
                        + Out.text(h, "rank", "?") + ", " + Out.milli(h.path("milliGpu").asLong()) + " GPU, job "
                        + shortId(Out.text(h, "jobId", "")) + ")");
            }
            t.row(Out.text(a, "index", ""), Out.text(a, "model", ""), Out.gib(a.path("memoryMib").asLong()) + "GiB",
                    Out.text(a, "health", ""), Out.milli(a.path("allocatedMilli").asLong()),
                    holders.isEmpty() ? "-" : String.join("; ", holders));
        }
        indented(out, t, "(none)");
    }

    private static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    private static void field(PrintStream out, String name, String value) {
        out.println(String.format("%-16s%s", name + ":", value));
    }

    private static void indented(PrintStream out, Out.Table t, String ifEmpty) {
        if (t.empty()) {
            out.println("  " + ifEmpty);
            return;
        }
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        t.print(new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        buf.toString(java.nio.charset.StandardCharsets.UTF_8).lines().forEach(l -> out.println("  " + l));
    }
}
