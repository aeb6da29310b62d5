package io.berth.agent.worker;

import io.berth.core.protocol.Assignment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Environment and paths derived from an assignment. Pure functions. */
final class WorkerEnvironment {

    private WorkerEnvironment() {
    }

    /**
     * Variables the agent sets for a worker process (they override the job's own env):
     * CUDA_VISIBLE_DEVICES (assigned indices, comma-separated; empty = no GPU visible), RANK and NODE_RANK
     * (= replicaIndex), LOCAL_RANK (0: one replica per agent), WORLD_SIZE, MASTER_ADDR and MASTER_PORT
     * (multi-replica jobs), and BERTH_WORKER_ID, BERTH_JOB_ID, BERTH_JOB_NAME, BERTH_ATTEMPT,
     * BERTH_CHECKPOINT_DIR (absolute; only when the assignment has one).
     */
    static Map<String, String> agentVariables(Assignment a, Path workDir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CUDA_VISIBLE_DEVICES", a.gpuIndices().stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put("WORLD_SIZE", Integer.toString(a.worldSize()));
        env.put("RANK", Integer.toString(a.replicaIndex()));
        env.put("NODE_RANK", Integer.toString(a.replicaIndex()));
        env.put("LOCAL_RANK", "0");
        if (a.masterAddr() != null) {
            env.put("MASTER_ADDR", a.masterAddr());
        }
        if (a.masterPort() != null) {
            env.put("MASTER_PORT", Integer.toString(a.masterPort()));
        }
        env.put("BERTH_WORKER_ID", a.workerId());
        putIfNotNull(env, "BERTH_JOB_ID", a.jobId());
        putIfNotNull(env, "BERTH_JOB_NAME", a.jobName());
        env.put("BERTH_ATTEMPT", Integer.toString(a.attempt()));
        if (a.checkpointDir() != null) {
            env.put("BERTH_CHECKPOINT_DIR", checkpointDir(a, workDir).toString());
        }
        return env;
    }

    private static void putIfNotNull(Map<String, String> env, String key, String value) {
        if (value != null) {
            env.put(key, value);
        }
    }

    /** The assignment's checkpoint directory: absolute as given, else under the work dir; null when none. */
    static Path checkpointDir(Assignment a, Path workDir) {
        return a.checkpointDir() == null ? null : workDir.resolve(a.checkpointDir()).toAbsolutePath().normalize();
    }

    /**
     * A file-system-safe directory name for a worker id: the id itself when it is made of
     * [A-Za-z0-9._-] and is not "." or "..", else the id with other characters replaced by '_' plus
     * a hash of the original, so distinct ids never share a directory.
     */
    static String directoryName(String workerId) {
        String safe = workerId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.equals(workerId) && !workerId.isEmpty() && !workerId.matches("\\.+")) {
            return workerId;
        }
        return safe.replace('.', '_') + "-" + Integer.toHexString(workerId.hashCode());
    }
}
