package io.berth.api.metrics;

import io.berth.core.inventory.ServerState;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cluster's packing as a picture: one tile per server (grouped by rack), one cell per GPU shaded by its allocated
 * share (white = idle, dark blue = whole GPU), a bar under each tile for CPU. Servers that are not READY are
 * outlined in red. Meant for a browser: GET /api/v1/cluster/utilization.svg. The same figures as JSON for the
 * dashboard: the packing per server and GPU, and the utilization now and over the last hours.
 */
@RestController
class UtilizationController {
    /** Points of history returned at most; longer spans are averaged down to this. */
    static final int MAX_POINTS = 720;
    private static final int PER_ROW = 40;
    private static final int CELL = 6;
    private static final int TILE_W = 4 * CELL + 4;

    private final ClusterMetrics metrics;

    UtilizationController(ClusterMetrics metrics) {
        this.metrics = metrics;
    }

    private record Tile(String name, String rack, ServerState state, double cpuShare, int[] gpuMilli) {
    }

    /**
     * One server of the packing picture.
     *
     * @param gpuMilli  the allocated share of each accelerator in index order, 0..1000 (1000 = the whole GPU)
     * @param gpuHealth each accelerator's health in the same order: HEALTHY, DEGRADED or UNHEALTHY
     */
    record ServerPacking(String name, String rack, String state, long cpuMillis, long cpuMillisUsed,
                         List<Integer> gpuMilli, List<String> gpuHealth) {
    }

    /** Every server (by rack, then name) with the share allocated on each of its accelerators. */
    record Packing(List<ServerPacking> servers) {
    }

    /**
     * The utilization now (read at the request) and the samples of the last {@code hours}, oldest first. The history
     * is what this replica sampled (every 5 s) since it started, at most {@value #MAX_POINTS} points (averaged).
     */
    record Utilization(UtilizationHistory.Sample now, int hours, List<UtilizationHistory.Sample> history) {
    }

    @GetMapping("/api/v1/cluster/utilization")
    Utilization utilizationJson(@RequestParam(defaultValue = "3") @Min(1) @Max(24) int hours) {
        return new Utilization(metrics.sample(), hours, metrics.history(hours, MAX_POINTS));
    }

    @GetMapping("/api/v1/cluster/packing")
    Packing packing() {
        return new Packing(servers());
    }

    private List<ServerPacking> servers() {
        return metrics.packing();
    }

    @GetMapping(value = "/api/v1/cluster/utilization.svg", produces = "image/svg+xml")
    String utilization() {
        List<Tile> all = servers().stream().map(s -> new Tile(s.name(), s.rack(), ServerState.valueOf(s.state()),
                s.cpuMillis() == 0 ? 0 : (double) s.cpuMillisUsed() / s.cpuMillis(),
                s.gpuMilli().stream().mapToInt(Integer::intValue).toArray())).toList();
        int rows = Math.max(1, (all.size() + PER_ROW - 1) / PER_ROW);
        int tileH = 2 * CELL + 10;
        int width = PER_ROW * TILE_W + 20;
        int height = rows * tileH + 50;
        long capacity = all.stream().mapToLong(t -> 1000L * t.gpuMilli().length).sum();
        long allocated = all.stream().flatMapToInt(t -> Arrays.stream(t.gpuMilli())).asLongStream().sum();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.US, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
                width, height, width, height));
        sb.append(String.format(Locale.US, "<text x=\"10\" y=\"18\" font-size=\"13\">%d servers, GPU allocated %.1f%% "
                + "(cell = one GPU, darker = more allocated; bar = CPU)</text>%n", all.size(),
                capacity == 0 ? 0 : 100.0 * allocated / capacity));
        for (int i = 0; i < all.size(); i++) {
            Tile t = all.get(i);
            int x = 10 + (i % PER_ROW) * TILE_W;
            int y = 30 + (i / PER_ROW) * tileH;
            sb.append(String.format("<g><title>%s (%s, %s)</title>%n", t.name(), t.rack(), t.state()));
            for (int g = 0; g < t.gpuMilli().length; g++) {
                int shade = 255 - (int) Math.round(t.gpuMilli()[g] / 1000.0 * 200);
                sb.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,255)\" "
                                + "stroke=\"#ccc\" stroke-width=\"0.5\"/>%n", x + (g % 4) * CELL, y + (g / 4 % 2) * CELL,
                        CELL, CELL, shade, shade));
            }
            sb.append(String.format(Locale.US, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"3\" fill=\"#ff7f0e\"/>%n",
                    x, y + 2 * CELL + 2, t.cpuShare() * 4 * CELL));
            if (t.state() != ServerState.READY)
                sb.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"red\"/>%n",
                        x - 1, y - 1, 4 * CELL + 2, 2 * CELL + 7));
            sb.append("</g>\n");
        }
        return sb.append("</svg>\n").toString();
    }
}
