package io.berth.core.placement.plugins;

import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/** Power awareness: 100 on a server that already runs work, 0 on an idle one (which could stay powered down). */
final class PowerScorer implements ScorePlugin {
    public String name() { return "power"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        return ctx.state().idle(s) ? 0 : MAX_SCORE;
    }
}
