package io.berth.agent.health;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path out = null;
        try {
            // output goes to a file, so a hung nvidia-smi (as one waiting on a GPU that fell off the bus) cannot block
            // the reader: the wait below gives up on it
            out = Files.createTempFile("berth-nvidia-smi", ".txt");
            Process p = new ProcessBuilder(COMMAND).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }
}
