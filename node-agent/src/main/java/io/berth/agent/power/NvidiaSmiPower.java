package io.berth.agent.power;

import io.berth.agent.hardware.CommandOutput;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GPU power draw through {@code nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits}. Thread-safe
 * (stateless).
 */
public final class NvidiaSmiPower {
    public static final List<String> QUERY = List.of(
            "nvidia-smi", "--query-gpu=index,power.draw", "--format=csv,noheader,nounits");

    private NvidiaSmiPower() {
    }

    /**
     * Parses the query output: one GPU per line, {@code index, watts}, e.g. {@code 0, 69.80}. A GPU whose draw the
     * driver cannot tell ({@code [N/A]}, {@code [Not Supported]}, {@code [Unknown Error]}: any bracketed value) is
     * left out, as are blank lines.
     *
     * @return watts by GPU index, ascending
     * @throws IllegalArgumentException naming the line for malformed output (not two fields, an index that is not an
     *                                  integer, a draw that is neither a non-negative number nor bracketed)
     */
    public static Map<Integer, Double> parse(String output) {
        Map<Integer, Double> watts = new TreeMap<>();
        String[] lines = output.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String[] fields = line.split(",");
            if (fields.length != 2) throw malformed(i, line, "expected 2 comma-separated fields");
            int index;
            try {
                index = Integer.parseInt(fields[0].strip());
            } catch (NumberFormatException e) {
                throw malformed(i, line, "index is not an integer");
            }
            String draw = fields[1].strip();
            if (draw.startsWith("[") && draw.endsWith("]")) continue;
            double w;
            try {
                w = Double.parseDouble(draw);
            } catch (NumberFormatException e) {
                throw malformed(i, line, "power.draw is not a number");
            }
            if (!(w >= 0) || Double.isInfinite(w)) throw malformed(i, line, "power.draw is not a non-negative number");
            watts.put(index, w);
        }
        return watts;
    }

    private static IllegalArgumentException malformed(int lineIndex, String line, String problem) {
        return new IllegalArgumentException("nvidia-smi output line " + (lineIndex + 1) + ": " + problem + ": " + line);
    }

    /**
     * Runs {@code command} (normally {@link #QUERY}) and returns its standard output, or null when it cannot run,
     * exits non-zero or hangs (10 s).
     */
    public static String run(List<String> command) {
        return CommandOutput.stdout(command);
    }
}
