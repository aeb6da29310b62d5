package io.berth.agent.health;

import io.berth.agent.hardware.CommandOutput;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs {@code nvidia-smi -q} at most every {@code minIntervalMillis} and gives its output (stdout and stderr, whatever
 * the exit code: a lost GPU makes nvidia-smi fail and say which); null when it is not due yet, cannot run or hangs
 * (10 s). Thread-safe.
 */
public final class NvidiaSmiQuery implements Supplier<String> {
    static final List<String> COMMAND = List.of("nvidia-smi", "-q");
    private final long minIntervalNanos;
    private long lastRun;
    private boolean ran;

    public NvidiaSmiQuery(long minIntervalMillis) {
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMillis);
    }

    @Override
    public synchronized String get() {
        long now = System.nanoTime();
        if (ran && now - lastRun < minIntervalNanos) return null;
        ran = true;
        lastRun = now;
        return CommandOutput.combined(COMMAND);
    }
}
