package io.berth.core.placement.plugins;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.CycleContext;
import io.berth.core.placement.ScorePlugin;

/**
 * Keeps a job's replicas close, fewest racks and switch hops: 100 on a server already used by the job, 80 in a
 * rack it uses, 50 under a leaf switch it uses, 0 elsewhere. Before the first replica every server scores 0.
 */
final class TopologyScorer implements ScorePlugin {
    public String name() { return "topology"; }

    public long score(CycleContext ctx, int s, int[] gpus) {
        ClusterLayout l = ctx.layout();
        long best = 0;
        for (int p : ctx.placedServers()) {
            if (p == s) return MAX_SCORE;
            if (l.rack(p) == l.rack(s)) best = Math.max(best, 80);
            else if (l.leaf(p) >= 0 && l.leaf(p) == l.leaf(s)) best = Math.max(best, 50);
        }
        return best;
    }
}
