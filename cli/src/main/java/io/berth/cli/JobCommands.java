package io.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** submit, list/queue, logs, cancel, hold, release, requeue. */
final class JobCommands {
    private JobCommands() {
    }

    static final String JOB_RULE = "JOB is an id, or a name: the caller's active job of that name (QUEUED, HELD, "
            + "SCHEDULED, RUNNING, PREEMPTED), else the newest job of that name; two active jobs of one name are "
            + "ambiguous (exit 2, use the id).";

    @Command(name = "submit", sortOptions = false,
            description = {"Submit a job from a spec file (YAML or JSON), or sbatch-like from flags and a command "
                    + "after --.", "",
                    "  berth submit examples/jobs/cpu-mlp.yaml",
                    "  berth submit --name hello --tenant team-a --cpus 0.5 --mem 256M -- echo hello",
                    "  berth submit --name sweep --tenant team-a --array 0-15 -- python3 train.py",
                    "",
                    "With --array each index is one job named NAME-INDEX whose process sees BERTH_ARRAY_INDEX "
                            + "(and BERTH_ARRAY_COUNT); the jobs are submitted together, all or none."})
    static final class Submit implements Callable<Integer> {
        @ParentCommand
        Berth root;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec commandSpec;

        @Parameters(paramLabel = "FILE | -- COMMAND",
                description = "a job spec (YAML or JSON), or the program and its arguments after --")
        List<String> positional = new ArrayList<>();

        private Path file;
        private List<String> command = List.of();

        @Option(names = "--name", description = "job name (default: the spec's, else the program's name)")
        String name;
        @Option(names = "--tenant", description = "tenant (default: the spec's, else $BERTH_TENANT)")
        String tenant;
        @Option(names = "--priority", description = "0-1000, higher first (default 0)")
        Integer priority;
        @Option(names = "--replicas", description = "replicas (default 1); more than one run as one gang")
        Integer replicas;
        @Option(names = "--gpus", description = "GPUs per replica (default 0)")
        Integer gpus;
        @Option(names = "--gpu-model", split = ",", paramLabel = "MODEL", description = "accepted GPU models")
        List<String> gpuModels;
        @Option(names = "--cpus", converter = Units.Cpus.class, paramLabel = "CPUS",
                description = "CPU per replica: 8, 0.5 or 500m (default 1)")
        Long cpuMillis;
        @Option(names = "--mem", converter = Units.Mem.class, paramLabel = "SIZE",
                description = "memory per replica: 32G, 512M, 1T; a bare number is MiB (default 1G)")
        Long memoryMib;
        @Option(names = "--time", converter = Units.Minutes.class, paramLabel = "MINUTES",
                description = "maximum run time in minutes, or [H:]MM:SS as in sbatch")
        Integer maxRunSeconds;
        @Option(names = "--retries", description = "times a failed job is queued again (default 3)")
        Integer retries;
        @Option(names = {"--env", "-e"}, paramLabel = "NAME=VALUE", description = "environment of the process")
        Map<String, String> env = new LinkedHashMap<>();
        @Option(names = "--workdir", paramLabel = "DIR", description = "working directory of the process (with a spec file: replaces the file's)")
        String workdir;
        @Option(names = "--array", paramLabel = "INDEXES", converter = Units.Array.class,
                description = "job array: 0-15, 1,3,5 or 0-15:4 (every 4th)")
        Units.Indexes arrayIndexes;
        private List<Integer> array;
        @Option(names = {"-q", "--quiet"}, description = "print only the ids, one per line")
        boolean quiet;
        @Option(names = "--dry-run", description = "submit nothing: say whether the job would run now and where, "
                + "whom it would preempt, or its queue position and probable start (sbatch --test-only)")
        boolean dryRun;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() {
            array = arrayIndexes == null ? null : arrayIndexes.values();
            ObjectNode spec = spec();
            Api api = root.api();
            if (dryRun) {
                if (array != null) throw Berth.CliException.usage("--dry-run asks about one job: leave out --array");
                JsonNode outlook = api.post("/api/v1/jobs/what-if", spec);
                if (!Out.structured(root.out, formats, outlook)) printOutlook(spec.path("name").asString(), outlook);
                return Berth.OK;
            }
            List<JsonNode> submitted = new ArrayList<>();
            JsonNode answer;
            if (array == null) {
                answer = api.post("/api/v1/jobs", spec);
                submitted.add(answer);
            } else {
                ObjectNode batch = Api.JSON.createObjectNode();
                ArrayNode jobs = batch.putArray("jobs");
                for (int i : array) jobs.add(arrayJob(spec, i, array.size()));
                answer = api.post("/api/v1/jobs/batch", batch);
                answer.path("jobs").forEach(submitted::add);
            }
            if (Out.structured(root.out, formats, answer)) return Berth.OK;
            for (int i = 0; i < submitted.size(); i++) {
                String id = Out.text(submitted.get(i), "id", "?");
                String jobName = array == null ? spec.path("name").asString() : spec.path("name").asString() + "-" + array.get(i);
                root.out.println(quiet ? id : "submitted job " + jobName + " " + id
                        + (submitted.get(i).path("replayed").asBoolean() ? " (already submitted)" : ""));
            }
            return Berth.OK;
        }

        /** The what-if answer for people: where it would run, or why and how long it would wait. */
        private void printOutlook(String name, JsonNode w) {
            List<String> where = new ArrayList<>();
            for (JsonNode r : w.path("placement")) {
                String gpus = r.path("gpuIndices").isEmpty() ? "" : " GPU " + r.path("gpuIndices").valueStream()
                        .map(JsonNode::asString).collect(java.util.stream.Collectors.joining(","));
                where.add(r.path("server").asString() + gpus);
            }
            if (w.path("runsNow").asBoolean()) {
                root.out.println("job " + name + " would start now on " + String.join("; ", where));
            } else {
                String start = w.hasNonNull("estimatedStartAt")
                        ? "probably starts at " + w.path("estimatedStartAt").asString()
                        : "start unknown (a job in the way has no time limit)";
                root.out.println("job " + name + " would wait: queue position " + w.path("queuePosition").asInt()
                        + ", " + start);
                if (w.hasNonNull("waitReason")) root.out.println("  reason: " + w.path("waitReason").asString());
                if (!where.isEmpty()) root.out.println("  then on " + String.join("; ", where));
            }
            for (JsonNode v : w.path("preempts"))
                root.out.println("  would preempt job " + v.path("jobId").asString() + " (tenant "
                        + v.path("tenant").asString() + ", priority " + v.path("priority").asInt() + ")");
        }

        private ObjectNode spec() {
            if (commandSpec.commandLine().getParseResult().originalArgs().contains("--")) command = positional;
            else if (positional.size() == 1) file = Path.of(positional.get(0));
            else if (positional.size() > 1)
                throw Berth.CliException.usage("put the command after --: berth submit [flags] -- "
                        + String.join(" ", positional));
            boolean flags = !command.isEmpty() || replicas != null || gpus != null || gpuModels != null
                    || cpuMillis != null || memoryMib != null || !env.isEmpty();
            ObjectNode spec;
            if (file != null && flags)
                throw Berth.CliException.usage("give a spec file or a command with resource flags, not both "
                        + "(with a file only --name, --tenant, --priority, --time, --retries, --workdir and --array apply)");
            if (file != null) {
                spec = read(file);
                if (workdir != null) {
                    if (!(spec.path("runtime").path("process") instanceof ObjectNode process))
                        throw Berth.CliException.usage("--workdir needs a process runtime in " + file);
                    process.put("workingDir", workdir);
                }
            } else {
                if (command.isEmpty())
                    throw Berth.CliException.usage("nothing to run: give a spec file, or a command after --");
                spec = Api.JSON.createObjectNode();
                spec.put("name", Path.of(command.get(0)).getFileName().toString());
                spec.put("tenant", root.env.getOrDefault("BERTH_TENANT", "default"));
                ObjectNode group = spec.putArray("taskGroups").addObject();
                group.put("name", "main");
                group.put("replicas", replicas == null ? 1 : replicas);
                group.put("cpuMillis", cpuMillis == null ? 1000 : cpuMillis);
                group.put("memoryMib", memoryMib == null ? 1024 : memoryMib);
                if (gpus != null) group.put("gpus", gpus);
                if (gpuModels != null) {
                    ArrayNode models = group.putArray("acceleratorModels");
                    gpuModels.forEach(models::add);
                }
                ObjectNode runtime = spec.putObject("runtime");
                runtime.put("type", "process");
                ObjectNode process = runtime.putObject("process");
                ArrayNode argv = process.putArray("argv");
                command.forEach(argv::add);
                if (!env.isEmpty()) {
                    ObjectNode e = process.putObject("env");
                    env.forEach(e::put);
                }
                if (workdir != null) process.put("workingDir", workdir);
            }
            if (name != null) spec.put("name", name);
            if (tenant != null) spec.put("tenant", tenant);
            else if (!spec.has("tenant") && root.env.get("BERTH_TENANT") != null)
                spec.put("tenant", root.env.get("BERTH_TENANT"));
            if (priority != null) spec.put("priority", priority);
            if (maxRunSeconds != null) spec.put("maxRunSeconds", maxRunSeconds);
            if (retries != null) spec.put("retries", retries);
            return spec;
        }

        private static ObjectNode read(Path file) {
            try {
                JsonNode tree = YAMLMapper.builder().build().readTree(Files.readString(file));
                if (!(tree instanceof ObjectNode o)) throw Berth.CliException.usage(file + ": not a job spec (a mapping)");
                return o;
            } catch (IOException e) {
                throw Berth.CliException.usage("cannot read " + file + ": " + e.getMessage());
            } catch (JacksonException e) {
                throw Berth.CliException.usage(file + ": not YAML or JSON: " + e.getOriginalMessage());
            }
        }

        /** One job of the array: NAME-INDEX, and the index in the process's environment. */
        private static ObjectNode arrayJob(ObjectNode spec, int index, int count) {
            ObjectNode job = spec.deepCopy();
            job.put("name", spec.path("name").asString() + "-" + index);
            JsonNode process = job.path("runtime").path("process");
            if (!(process instanceof ObjectNode p))
                throw Berth.CliException.usage("--array needs a process runtime: BERTH_ARRAY_INDEX is passed in the "
                        + "process's environment");
            ObjectNode env = p.get("env") instanceof ObjectNode e ? e : p.putObject("env");
            env.put("BERTH_ARRAY_INDEX", Integer.toString(index));
            env.put("BERTH_ARRAY_COUNT", Integer.toString(count));
            return job;
        }
    }

    @Command(name = "list", aliases = {"queue", "ls"},
            description = {"List jobs, newest first (squeue / kubectl get jobs). Without --state only active jobs "
                    + "(QUEUED, HELD, SCHEDULED, RUNNING, PREEMPTED); --all for every state."})
    static final class ListJobs implements Callable<Integer> {
        @ParentCommand
        Berth root;
        @Option(names = "--state", split = ",", paramLabel = "STATE", description = "only these states (comma-separated)")
        List<String> states;
        @Option(names = {"-a", "--all"}, description = "jobs in every state")
        boolean all;
        @Option(names = "--tenant", description = "only this tenant's jobs")
        String tenant;
        @Option(names = "--name", description = "only jobs with this name")
        String name;
        @Option(names = "--limit", defaultValue = "100", description = "at most this many jobs (default 100, max 500)")
        int limit;
        @Option(names = {"-w", "--watch"}, description = "print the list again every --interval seconds until interrupted")
        boolean watch;
        @Option(names = "--interval", defaultValue = "2", description = "seconds between --watch refreshes (default 2)")
        int interval;
        @Option(names = "--watch-times", hidden = true, defaultValue = "0", description = "stop after this many prints")
        int watchTimes;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() throws InterruptedException {
            if (limit < 1 || limit > 500) throw Berth.CliException.usage("--limit must be 1 to 500");
            if (interval < 1) throw Berth.CliException.usage("--interval must be at least 1");
            Api api = root.api();
            StringBuilder path = new StringBuilder("/api/v1/jobs?size=").append(limit);
            List<String> wanted = states != null ? states.stream().map(s -> s.strip().toUpperCase()).toList()
                    : all ? List.of() : List.copyOf(new TreeSet<>(Jobs.ACTIVE));
            if (!wanted.isEmpty()) path.append("&state=").append(Api.q(String.join(",", wanted)));
            if (tenant != null) path.append("&tenant=").append(Api.q(tenant));
            if (name != null) path.append("&name=").append(Api.q(name));
            for (int printed = 1; ; printed++) {
                JsonNode page = api.get(path.toString());
                if (watch && !formats.structured()) root.out.print("\033[H\033[2J");
                print(page);
                if (!watch || (watchTimes > 0 && printed >= watchTimes)) return Berth.OK;
                root.out.flush();
                Thread.sleep(interval * 1000L);
            }
        }

        private void print(JsonNode page) {
            if (Out.structured(root.out, formats, page)) return;
            Instant now = Instant.now();
            boolean wide = formats.wide();
            Out.Table t = wide ? new Out.Table("ID", "NAME", "TENANT", "STATE", "PRIO", "GPUS", "AGE", "NODES",
                    "ATTEMPT", "REASON") : new Out.Table("ID", "NAME", "TENANT", "STATE", "PRIO", "GPUS", "AGE",
                    "NODES", "REASON");
            for (JsonNode j : page.path("items")) {
                String id = Out.text(j, "id", "");
                List<String> servers = new ArrayList<>();
                j.path("servers").forEach(s -> servers.add(s.asString()));
                String reason = reason(j);
                String gpus = Out.milli(j.path("gpuMilli").asLong());
                if (wide) t.row(id, Out.text(j, "name", ""), Out.text(j, "tenant", ""), Out.text(j, "state", ""),
                        Out.text(j, "priority", ""), gpus, Out.age(Out.text(j, "createdAt", null), now),
                        String.join(",", servers), Out.text(j, "attempt", ""), Berth.oneLine(reason));
                else t.row(id.length() > 8 ? id.substring(0, 8) : id, Out.text(j, "name", ""),
                        Out.text(j, "tenant", ""), Out.text(j, "state", ""), Out.text(j, "priority", ""), gpus,
                        Out.age(Out.text(j, "createdAt", null), now), Out.cut(String.join(",", servers), 40),
                        Out.cut(reason, 60));
            }
            if (t.empty()) root.out.println("No jobs.");
            else t.print(root.out);
            long total = page.path("total").asLong();
            if (total > page.path("items").size())
                root.out.println("(" + page.path("items").size() + " of " + total + " jobs; --limit shows more)");
        }
    }

    /** Why a job is where it is: the pending reason of a waiting job, else the last transition's message. */
    static String reason(JsonNode j) {
        String pending = Out.text(j, "pendingReason", null);
        return pending != null ? pending : Out.text(j, "message", "");
    }

    @Command(name = "logs", description = {"Print a job's log lines as plain text (kubectl logs).", JOB_RULE})
    static final class Logs implements Callable<Integer> {
        @ParentCommand
        Berth root;
        @Parameters(paramLabel = "JOB")
        String job;
        @Option(names = {"-f", "--follow"}, description = "keep printing new lines until the job ends")
        boolean follow;
        @Option(names = "--prefix", description = "start each line with [rank N]")
        boolean prefix;

        @Override
        public Integer call() {
            Api api = root.api();
            String id = Jobs.resolve(api, job);
            api.streamText("/api/v1/jobs/" + id + "/logs?follow=" + follow + "&prefix=" + prefix, root.out);
            return Berth.OK;
        }
    }

    /** cancel, hold, release, requeue: one request on one or more jobs. */
    abstract static class Control implements Callable<Integer> {
        @ParentCommand
        Berth root;
        @Parameters(paramLabel = "JOB", arity = "1..*", description = "job ids or names")
        List<String> jobs;

        abstract String action();

        abstract String done();

        @Override
        public Integer call() {
            Api api = root.api();
            // every name is resolved before anything changes: an ambiguous or unknown name changes nothing
            List<String> ids = jobs.stream().map(j -> Jobs.resolve(api, j)).toList();
            for (String id : ids) {
                JsonNode j = api.post("/api/v1/jobs/" + id + "/" + action(), null);
                root.out.println("job " + Out.text(j, "name", "?") + " " + id + " " + done() + " ("
                        + Out.text(j, "state", "?") + ")");
            }
            return Berth.OK;
        }
    }

    @Command(name = "cancel", description = {"Cancel jobs (scancel): their workers are stopped.", JOB_RULE})
    static final class Cancel extends Control {
        String action() {
            return "cancel";
        }

        String done() {
            return "cancelled";
        }
    }

    @Command(name = "hold", description = {"Hold queued jobs: the scheduler leaves them alone until released "
            + "(scontrol hold). Only a QUEUED job can be held.", JOB_RULE})
    static final class Hold extends Control {
        String action() {
            return "hold";
        }

        String done() {
            return "held";
        }
    }

    @Command(name = "release", description = {"Release held jobs back to the queue (scontrol release).", JOB_RULE})
    static final class Release extends Control {
        String action() {
            return "release";
        }

        String done() {
            return "released";
        }
    }

    @Command(name = "requeue", description = {"Put jobs back in the queue (scontrol requeue): a SCHEDULED or "
            + "RUNNING job is stopped without using a retry; a FAILED or CANCELLED job runs again.", JOB_RULE})
    static final class Requeue extends Control {
        String action() {
            return "requeue";
        }

        String done() {
            return "requeued";
        }
    }

}
