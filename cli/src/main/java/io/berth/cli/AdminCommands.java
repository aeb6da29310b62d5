package io.berth.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.concurrent.Callable;

/** quota get/set/delete, tokens create/list/revoke. */
final class AdminCommands {
    private AdminCommands() {
    }

    @Command(name = "quota", description = "Per-tenant limits on GPUs and CPU held by running jobs.",
            subcommands = {QuotaGet.class, QuotaSet.class, QuotaDelete.class})
    static final class Quota {
        @ParentCommand
        Berth root;
    }

    @Command(name = "get", description = "Show one tenant's quota, or every quota.")
    static final class QuotaGet implements Callable<Integer> {
        @ParentCommand
        Quota quota;
        @Parameters(arity = "0..1", paramLabel = "TENANT")
        String tenant;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() {
            Api api = quota.root.api();
            JsonNode r = tenant == null ? api.get("/api/v1/quotas") : api.get("/api/v1/quotas/" + Api.seg(tenant));
            if (Out.structured(quota.root.out, formats, r)) return Berth.OK;
            ArrayNode list = r.isArray() ? (ArrayNode) r : Api.JSON.createArrayNode().add(r);
            Out.Table t = new Out.Table("TENANT", "GPUS", "CPUS");
            for (JsonNode q : list) {
                t.row(Out.text(q, "tenant", ""), limit(q, "gpuMilli"), limit(q, "cpuMillis"));
            }
            if (t.empty()) quota.root.out.println("No quotas (every tenant is unlimited).");
            else t.print(quota.root.out);
            return Berth.OK;
        }

        private static String limit(JsonNode q, String field) {
            return q.hasNonNull(field) ? Out.milli(q.get(field).asLong()) : "unlimited";
        }
    }

    @Command(name = "set", description = "Set (replace) a tenant's quota; a limit left out is unlimited.")
    static final class QuotaSet implements Callable<Integer> {
        @ParentCommand
        Quota quota;
        @Parameters(paramLabel = "TENANT")
        String tenant;
        @ArgGroup(exclusive = true)
        Gpus gpus;
        @Option(names = "--cpus", converter = Units.Cpus.class, paramLabel = "CPUS",
                description = "CPU limit: 64, 0.5 or 500m")
        Long cpuMillis;

        static final class Gpus {
            @Option(names = "--gpus", paramLabel = "GPUS", converter = Units.Cpus.class,
                    description = "GPU limit in GPUs: 4 or 2.5")
            Long gpuMilli;
            @Option(names = "--gpu-milli", paramLabel = "MILLI", description = "GPU limit in milli-GPU (1000 = one GPU)")
            Long gpuMilliRaw;
        }

        @Override
        public Integer call() {
            Long g = gpus == null ? null : gpus.gpuMilli != null ? gpus.gpuMilli : gpus.gpuMilliRaw;
            if (g == null && cpuMillis == null) throw Berth.CliException.usage("give --gpus, --cpus or both");
            ObjectNode body = Api.JSON.createObjectNode();
            if (g != null) body.put("gpuMilli", g);
            if (cpuMillis != null) body.put("cpuMillis", cpuMillis);
            JsonNode r = quota.root.api().put("/api/v1/quotas/" + Api.seg(tenant), body);
            quota.root.out.println("quota of " + tenant + ": GPUs " + (r.hasNonNull("gpuMilli")
                    ? Out.milli(r.get("gpuMilli").asLong()) : "unlimited") + ", CPUs " + (r.hasNonNull("cpuMillis")
                    ? Out.milli(r.get("cpuMillis").asLong()) : "unlimited"));
            return Berth.OK;
        }
    }

    @Command(name = "delete", description = "Remove a tenant's quota (the tenant is then unlimited).")
    static final class QuotaDelete implements Callable<Integer> {
        @ParentCommand
        Quota quota;
        @Parameters(paramLabel = "TENANT")
        String tenant;

        @Override
        public Integer call() {
            quota.root.api().delete("/api/v1/quotas/" + Api.seg(tenant));
            quota.root.out.println("quota of " + tenant + " deleted");
            return Berth.OK;
        }
    }

    @Command(name = "tokens", description = "API tokens (admin only).",
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Tokens {
        @ParentCommand
        Berth root;
    }

    @Command(name = "create", description = "Issue a token; its secret is shown once.")
    static final class TokenCreate implements Callable<Integer> {
        @ParentCommand
        Tokens tokens;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--role", required = true, description = "ADMIN, OPERATOR, USER or AGENT")
        String role;
        @Option(names = "--tenant", description = "the tenant a USER acts for")
        String tenant;
        @Option(names = "--server", description = "the server an AGENT speaks for")
        String server;
        @Option(names = {"-q", "--quiet"}, description = "print only the secret")
        boolean quiet;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() {
            ObjectNode body = Api.JSON.createObjectNode();
            body.put("name", name);
            body.put("role", role.toUpperCase());
            if (tenant != null) body.put("tenant", tenant);
            if (server != null) body.put("server", server);
            JsonNode r = tokens.root.api().post("/api/v1/tokens", body);
            if (Out.structured(tokens.root.out, formats, r)) return Berth.OK;
            if (quiet) {
                tokens.root.out.println(Out.text(r, "token", ""));
            } else {
                tokens.root.out.println("token " + Out.text(r, "name", name) + " " + Out.text(r, "id", "") + " ("
                        + Out.text(r, "role", "") + ") created; its secret, shown only now:");
                tokens.root.out.println(Out.text(r, "token", ""));
            }
            return Berth.OK;
        }
    }

    @Command(name = "list", description = "List tokens (never their secrets).")
    static final class TokenList implements Callable<Integer> {
        @ParentCommand
        Tokens tokens;
        @Mixin
        Out.Formats formats;

        @Override
        public Integer call() {
            JsonNode r = tokens.root.api().get("/api/v1/tokens");
            if (Out.structured(tokens.root.out, formats, r)) return Berth.OK;
            Instant now = Instant.now();
            Out.Table t = new Out.Table("ID", "NAME", "ROLE", "TENANT", "SERVER", "AGE", "REVOKED");
            for (JsonNode k : r) {
                String revoked = Out.text(k, "revokedAt", null);
                t.row(Out.text(k, "id", ""), Out.text(k, "name", ""), Out.text(k, "role", ""),
                        Out.text(k, "tenant", ""), Out.text(k, "server", ""), Out.age(Out.text(k, "createdAt", null), now),
                        revoked == null ? "" : Out.age(revoked, now) + " ago");
            }
            if (t.empty()) tokens.root.out.println("No tokens.");
            else t.print(tokens.root.out);
            return Berth.OK;
        }
    }

    @Command(name = "revoke", description = "Revoke a token by id; it stops working at once on this control plane.")
    static final class TokenRevoke implements Callable<Integer> {
        @ParentCommand
        Tokens tokens;
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            tokens.root.api().delete("/api/v1/tokens/" + Api.seg(id));
            tokens.root.out.println("token " + id + " revoked");
            return Berth.OK;
        }
    }
}
