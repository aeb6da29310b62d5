package io.berth.agent.hardware;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a hardware tool such as {@code nvidia-smi} and gives its output, or null when it cannot run or hangs (10 s).
 * Output goes to a temporary file, so a hung tool (nvidia-smi waiting on a GPU that fell off the bus) cannot block the
 * reader: the wait gives up on it. Thread-safe (stateless).
 */
public final class CommandOutput {
    private static final long TIMEOUT_SECONDS = 10;

    private CommandOutput() {
    }

    /** Standard output when the command exits 0, else null. */
    public static String stdout(List<String> command) {
        return run(command, false);
    }

    /** Standard output and error together, whatever the exit code (a failing tool often says why). */
    public static String combined(List<String> command) {
        return run(command, true);
    }

    private static String run(List<String> command, boolean combined) {
        Path out = null;
        try {
            out = Files.createTempFile("berth-" + Path.of(command.get(0)).getFileName(), ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile());
            if (combined) builder.redirectErrorStream(true);
            else builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = builder.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return combined || p.exitValue() == 0 ? Files.readString(out, StandardCharsets.UTF_8) : null;
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
