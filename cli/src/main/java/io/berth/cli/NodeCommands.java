package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** nodes, cordon, drain, uncordon, import. */
final class NodeCommands {
    private NodeCommands() {
    }

    @Command(name = "nodes", description = "List servers (sinfo / kubectl get nodes): state, agent, GPUs free/total "
            + "per model, CPU and memory allocated.")
    static final class Nodes implements Callable<Integer> {
        @ParentCommand
        Berth root;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() {
            JsonNode all = root.api().get("/api/v1/cluster/allocation");
            if (Out.structured(root.out, formats, all)) return Berth.OK;
            boolean wide = formats.wide();
            Out.Table t = wide
                    ? new Out.Table("NAME", "STATE", "AGENT", "HEARTBEAT", "RACK", "GPUS FREE/TOTAL", "GPU ALLOCATED",
                    "UNHEALTHY", "CPU", "MEMORY", "REASON")
                    : new Out.Table("NAME", "STATE", "AGENT", "GPUS FREE/TOTAL", "CPU", "MEMORY", "REASON");
            for (JsonNode s : all.path("servers")) {
                List<String> free = new ArrayList<>();
                List<String> allocated = new ArrayList<>();
                long unhealthy = 0;
                for (JsonNode g : s.path("gpus")) {
                    free.add(Out.text(g, "model", "?") + " " + Out.text(g, "free", "0") + "/" + Out.text(g, "total", "0"));
                    allocated.add(Out.milli(g.path("allocatedMilli").asLong()));
                    unhealthy += g.path("unhealthy").asLong();
                }
                String cpu = Out.milli(s.path("cpuMillis").path("allocated").asLong()) + "/"
                        + Out.milli(s.path("cpuMillis").path("capacity").asLong());
                String mem = Out.gib(s.path("memoryMib").path("allocated").asLong()) + "/"
                        + Out.gib(s.path("memoryMib").path("capacity").asLong()) + "Gi";
                String agent = s.path("agentConnected").asBoolean() ? "yes" : "no";
                String gpus = free.isEmpty() ? "-" : String.join(", ", free);
                if (wide) {
                    String age = Out.text(s, "agentHeartbeatAgeSeconds", null);
                    t.row(Out.text(s, "server", ""), Out.text(s, "state", ""), agent, age == null ? "-" : age + "s",
                            Out.text(s, "rack", ""), gpus, allocated.isEmpty() ? "-" : String.join(", ", allocated),
                            Long.toString(unhealthy), cpu, mem, Out.text(s, "stateReason", ""));
                } else {
                    t.row(Out.text(s, "server", ""), Out.text(s, "state", ""), agent, gpus, cpu, mem,
                            Out.cut(Out.text(s, "stateReason", ""), 40));
                }
            }
            if (t.empty()) root.out.println("No servers.");
            else t.print(root.out);
            return Berth.OK;
        }
    }

    /** One state change of one or more servers. */
    abstract static class StateChange implements Callable<Integer> {
        @ParentCommand
        Berth root;
        @Parameters(arity = "1..*", paramLabel = "NODE")
        List<String> nodes;

        abstract String action();

        /** Why (cordon and drain); null otherwise or when not given. */
        String reason() {
            return null;
        }

        @Override
        public Integer call() {
            Api api = root.api();
            JsonNode body = reason() == null ? null : Api.JSON.createObjectNode().put("reason", reason());
            for (String n : nodes) {
                JsonNode s = api.post("/api/v1/servers/" + Api.seg(n) + "/" + action(), body);
                String why = Out.text(s, "stateReason", null);
                root.out.println("node " + Out.text(s, "name", n) + " " + Out.text(s, "state", "?")
                        + (why == null ? "" : " (" + why + ")"));
            }
            return Berth.OK;
        }
    }

    /** cordon and drain: a state change that can say why, as Slurm's scontrol update ... reason=. */
    abstract static class OutOfService extends StateChange {
        @Option(names = "--reason", paramLabel = "TEXT", description = "why (shown by nodes until uncordon)")
        String reason;

        @Override
        String reason() {
            return reason;
        }
    }

    @Command(name = "cordon", description = "Stop placing new work on servers; running work goes on (CORDONED "
            + "until uncordon).")
    static final class Cordon extends OutOfService {
        String action() {
            return "cordon";
        }
    }

    @Command(name = "drain", description = "Stop placing new work on servers and let running work end: DRAINING, "
            + "then DRAINED once no worker is active (nothing is evicted; cancel jobs to drain sooner).")
    static final class Drain extends OutOfService {
        String action() {
            return "drain";
        }
    }

    @Command(name = "uncordon", description = "Return cordoned, draining or drained servers to service (READY).")
    static final class Uncordon extends StateChange {
        String action() {
            return "ready";
        }
    }

    @Command(name = "import", description = "Import an inventory document (YAML or JSON: zones, racks, servers...) or "
            + "a node-list CSV (sn,cpu_milli,memory_mib,gpu,model); all or nothing, idempotent.")
    static final class Import implements Callable<Integer> {
        @ParentCommand
        Berth root;
        @Parameters(paramLabel = "FILE")
        Path file;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            String type = n.endsWith(".csv") ? "text/csv" : n.endsWith(".json") ? "application/json"
                    : n.endsWith(".yaml") || n.endsWith(".yml") ? "application/yaml" : null;
            if (type == null) throw Berth.CliException.usage(file + ": name it .yaml, .yml, .json or .csv");
            byte[] body;
            try {
                body = Files.readAllBytes(file);
            } catch (IOException e) {
                throw Berth.CliException.usage("cannot read " + file + ": " + e.getMessage());
            }
            JsonNode r = root.api().send("POST", "/api/v1/inventory/import", type, body);
            if (Out.structured(root.out, formats, r)) return Berth.OK;
            root.out.println("imported " + file + ": servers " + Out.text(r, "serversCreated", "0") + " created, "
                    + Out.text(r, "serversUpdated", "0") + " updated, " + Out.text(r, "serversUnchanged", "0")
                    + " unchanged; zones " + Out.text(r, "zonesCreated", "0") + ", racks "
                    + Out.text(r, "racksCreated", "0") + ", switches " + Out.text(r, "switchesCreated", "0")
                    + ", links " + Out.text(r, "linksCreated", "0") + ", volumes " + Out.text(r, "volumesCreated", "0")
                    + " created");
            return Berth.OK;
        }
    }
}
