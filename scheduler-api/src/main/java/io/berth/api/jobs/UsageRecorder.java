package io.berth.api.jobs;

import java.util.UUID;

/**
 * Writes the usage record of a worker whose holding of resources ends, in the transaction that ends it and before its
 * counters are given back. The reports feature owns the records and implements this.
 */
public interface UsageRecorder {

    /** Records what the worker held and for how long, once (a second call for the same worker writes nothing). */
    void holdingEnds(UUID workerId);
}
