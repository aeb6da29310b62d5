package io.berth.core.protocol;

import io.berth.core.spec.RuntimeSpec;

import java.util.List;

/**
 * One worker (one replica of one attempt of a job) the control plane placed on an agent.
 *
 * @param workerId      unique per attempt and replica; the idempotency key for starting
 * @param attempt       1 for the first run, incremented on every requeue
 * @param taskGroup     name of the job's task group this replica belongs to
 * @param replicaIndex  rank of this replica, 0 &lt;= replicaIndex &lt; worldSize
 * @param worldSize     number of replicas in the gang, &gt;= 1 (less reads as 1)
 * @param masterAddr    host of rank 0 (its agent's advertise address); null when worldSize == 1
 * @param masterPort    TCP port rank 0 listens on; null when worldSize == 1
 * @param gpuIndices    local accelerator indices assigned; empty for CPU-only workers
 * @param milliGpu      fractional GPU share in 1/1000 GPU (informational for the agent)
 * @param cpuMillis     CPU reserved, millicores
 * @param memoryMib     memory reserved, MiB
 * @param checkpointDir same for every attempt of the job; absolute, or relative to the agent's work dir;
 *                      null = no checkpointing
 * @param runtime       what to run: the job's runtime as stored at submission (the job spec's own record)
 * @param maxRunSeconds the agent stops the worker (FAILED) after this long; null = no limit
 */
public record Assignment(String workerId,
                         String jobId,
                         String jobName,
                         int attempt,
                         String taskGroup,
                         int replicaIndex,
                         int worldSize,
                         String masterAddr,
                         Integer masterPort,
                         List<Integer> gpuIndices,
                         int milliGpu,
                         long cpuMillis,
                         long memoryMib,
                         String checkpointDir,
                         RuntimeSpec runtime,
                         Integer maxRunSeconds) {

    public Assignment {
        gpuIndices = gpuIndices == null ? List.of() : List.copyOf(gpuIndices);
        worldSize = Math.max(1, worldSize);
    }
}
