package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * Requested-to-capacity ratio with a shape: utilisation u (0..100 %) of CPU, memory and GPU after placement is
 * mapped through a piecewise-linear shape {(u0,s0),(u1,s1),...} and the three results are averaged (GPU skipped on
 * servers without GPUs). Shape (0,0),(100,100) packs; (0,100),(100,0) spreads. Range 0..100.
 */
final class RequestedToCapacityRatioScorer implements ScorePlugin {
    private final int[] utilisation, score;

    /** @param shape alternating utilisation %, score pairs with increasing utilisation, scores 0..100 */
    RequestedToCapacityRatioScorer(int... shape) {
        if (shape.length < 4 || shape.length % 2 != 0) throw new IllegalArgumentException("shape needs >= 2 points");
        utilisation = new int[shape.length / 2];
        score = new int[shape.length / 2];
        for (int i = 0; i < utilisation.length; i++) {
            utilisation[i] = shape[2 * i];
            score[i] = shape[2 * i + 1];
            if (score[i] < 0 || score[i] > MAX_SCORE || (i > 0 && utilisation[i] <= utilisation[i - 1]))
                throw new IllegalArgumentException("bad shape point " + i);
        }
    }

    public String name() { return "requested-to-capacity-ratio"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        long sum = shape(Utilisation.cpuAfter(ctx, s) / 10) + shape(Utilisation.memoryAfter(ctx, s) / 10);
        long gpu = Utilisation.gpuAfter(ctx, s);
        return gpu < 0 ? sum / 2 : (sum + shape(gpu / 10)) / 3;
    }

    long shape(long u) {
        if (u <= utilisation[0]) return score[0];
        for (int i = 1; i < utilisation.length; i++)
            if (u <= utilisation[i])
                return score[i - 1] + (score[i] - score[i - 1]) * (u - utilisation[i - 1]) / (utilisation[i] - utilisation[i - 1]);
        return score[score.length - 1];
    }
}
