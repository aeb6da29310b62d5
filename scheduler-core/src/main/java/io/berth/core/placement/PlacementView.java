package io.berth.core.placement;

import java.util.function.IntToLongFunction;
import java.util.function.Supplier;

/**
 * What plugins see of the cycle's working state: free resources per server and GPU, readiness, and per-state memos.
 * Read-only: reservations and releases belong to the engine ({@link PlacementState}), so a plugin cannot change what
 * the next candidate is scored against.
 */
public interface PlacementView {
    ClusterLayout layout();

    long cpuFree(int s);

    long memoryFree(int s);

    long storageFree(int s);

    int storageBandwidthFree(int s);

    long networkFree(int s);

    /** Free milli-GPU of global GPU g (0..1000). */
    int gpuFree(int g);

    /** READY server: takes new work. */
    boolean serverReady(int s);

    /** HEALTHY accelerator: takes new work. */
    boolean gpuUsable(int g);

    long allocatedGpuMilli();

    /** Free milli-GPU summed over the usable GPUs of layout model id m, cluster-wide. */
    long modelFreeMilli(int m);

    /** Free milli-GPU summed over the usable GPUs of server s. */
    long gpuFreeMilli(int s);

    /** True when nothing runs on server s. */
    boolean idle(int s);

    /**
     * A per-server value derived from this state only (e.g. a server's current fragmentation), computed once and
     * reused until the server changes.
     */
    long memoized(MemoKey key, int s, IntToLongFunction compute);

    /**
     * A per-state object of the key's owner (made by {@code make} on first use), for caches of values that depend on
     * their inputs only, such as fragmentation by server contents. Used by one thread, as the state is; not carried
     * over to copies.
     */
    <T> T scratch(ScratchKey<T> key, Supplier<T> make);

    /** Names one kind of memoized per-server value; two keys are the same kind only if they are the same object. */
    final class MemoKey {
        private final String name;

        public MemoKey(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Names one per-state scratch object of type T; compared by identity. */
    final class ScratchKey<T> {
        private final String name;

        public ScratchKey(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
