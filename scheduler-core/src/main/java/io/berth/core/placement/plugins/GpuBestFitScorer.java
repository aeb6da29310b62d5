package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * GPU-level best fit: score = 100 - (free milli left on the chosen GPUs after placement) x 100 / (1000 x GPUs), so a
 * shared request lands on the GPU it fills most exactly. Whole-GPU requests always score 100; CPU-only 100. Range 0..100.
 */
final class GpuBestFitScorer implements ScorePlugin {
    public String name() { return "gpu-best-fit"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        if (gpus.length == 0) return MAX_SCORE;
        long left = 0;
        for (int g : gpus) left += ctx.state().gpuFree(g) - ctx.group().milliGpuPerGpu();
        return MAX_SCORE - left * MAX_SCORE / (1000L * gpus.length);
    }
}
