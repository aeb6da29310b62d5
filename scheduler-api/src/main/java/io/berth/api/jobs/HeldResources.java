package io.berth.api.jobs;

import java.util.List;
import java.util.Map;

/**
 * The counters of what workers hold on servers and accelerators. The scheduling feature owns them (its tables
 * server_usage and accelerator_usage, V18) and implements this; {@link WorkerRepository} calls it in the transaction
 * that inserts the workers or ends their holding, so a counter always equals the sum over the workers holding
 * resources. The database's CHECKs refuse a reservation beyond capacity (DataIntegrityViolationException).
 */
public interface HeldResources {

    /** Thrown when a reservation is refused: the server is gone or not READY, or a GPU not healthy. */
    final class ReservationRefused extends RuntimeException {
        public ReservationRefused(String message) {
            super(message);
        }
    }

    /**
     * Adds the demand of one worker or many (a job's workers, or a batch of jobs'), summed per server and per GPU, in
     * one statement for the servers and one for the GPUs whatever the number of workers. Returns the servers' ids by
     * name.
     */
    Map<String, Long> reserveAll(List<WorkerRow> workers);

    /** Gives back what one worker held: one statement for its server, one for its GPUs. */
    void release(long serverId, long cpuMillis, long memoryMib, long networkMbps, int milliGpu, Integer[] gpuIndices);
}
