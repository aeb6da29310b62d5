package io.berth.agent.hardware;

import io.berth.agent.hardware.Hardware.Accelerator;
import io.berth.agent.hardware.Hardware.AcceleratorKind;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPU discovery through {@code nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader}.
 * Thread-safe (stateless).
 */
public final class NvidiaSmi {
    public static final List<String> QUERY = List.of(
            "nvidia-smi", "--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader");
    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*MiB");

    private NvidiaSmi() {
    }

    /**
     * Parses the query output: one GPU per line, {@code index, uuid, name, memory}, e.g.
     * {@code 0, GPU-5f1a..., NVIDIA A100-SXM4-80GB, 81920 MiB}. Blank lines are ignored; a leading
     * "NVIDIA " is dropped from the model name. The interconnect domain is unknown (null).
     *
     * @throws IllegalArgumentException naming the line for malformed output
     */
    public static List<Accelerator> parse(String output) {
        List<Accelerator> gpus = new ArrayList<>();
        String[] lines = output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int firstComma = line.indexOf(',');
            int secondComma = firstComma < 0 ? -1 : line.indexOf(',', firstComma + 1);
            int lastComma = line.lastIndexOf(',');
            if (secondComma < 0 || lastComma <= secondComma) {
                throw malformed(i, line, "expected 4 comma-separated fields");
            }
            int index;
            try {
                index = Integer.parseInt(line.substring(0, firstComma).strip());
            } catch (NumberFormatException e) {
                throw malformed(i, line, "index is not an integer");
            }
            String name = line.substring(secondComma + 1, lastComma).strip();
            Matcher m = MEMORY.matcher(line.substring(lastComma + 1).strip());
            if (!m.matches()) {
                throw malformed(i, line, "memory.total is not '<n> MiB'");
            }
            String model = name.startsWith("NVIDIA ") ? name.substring("NVIDIA ".length()) : name;
            gpus.add(new Accelerator(index, AcceleratorKind.GPU, "NVIDIA", model, Long.parseLong(m.group(1)), null, null));
        }
        return gpus;
    }

    private static IllegalArgumentException malformed(int lineIndex, String line, String problem) {
        return new IllegalArgumentException("nvidia-smi output line " + (lineIndex + 1) + ": " + problem + ": " + line);
    }

    /** Runs the query when nvidia-smi is on PATH; empty when it is not. */
    public static Optional<List<Accelerator>> query() throws IOException, InterruptedException {
        if (findOnPath("nvidia-smi").isEmpty()) {
            return Optional.empty();
        }
        Process p = new ProcessBuilder(QUERY).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("nvidia-smi did not finish within 30 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("nvidia-smi exited with " + p.exitValue() + ": " + text.strip());
        }
        return Optional.of(parse(text));
    }

    static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
