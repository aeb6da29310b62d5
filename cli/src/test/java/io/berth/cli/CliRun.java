package io.berth.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One CLI command line run in this JVM (the real main path, {@link Berth#run}), with its output captured. */
record CliRun(int code, String out, String err) {
    static CliRun run(TestCluster cluster, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("BERTH_SERVER", cluster.url());
        env.put("BERTH_TOKEN", cluster.adminToken());
        env.put("BERTH_CONFIG", cluster.dir.resolve("no-config").toString());
        return run(env, args);
    }

    static CliRun run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Berth.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
