package io.berth.core.replay;

import io.berth.core.placement.ClusterLayout;
import io.berth.core.placement.PlacementState;

import java.util.Locale;
import java.util.Map;

/**
 * The simulator's power figures for the openb servers, which the trace does not carry. Each part draws its idle
 * power plus its dynamic range times the share of it that is allocated (training keeps what it holds busy, so
 * allocated is taken as used): the CPU side by allocated cores, each GPU by its allocated share. A suspended server
 * draws {@link #STANDBY_WATTS} (its BMC and fans on standby); a resuming one draws its idle power while it boots.
 *
 * <p>Assumptions, from vendors' data sheets rounded (board power, not measured): a two-socket host idles at
 * 100 W + 1 W per core and peaks at 150 W + 4 W per core; GPUs idle/peak at P100 30/250 W, V100 40/300 W, T4 10/70 W,
 * A10 20/150 W; the trace's G2 and G3 (unnamed 8-GPU models) and any other model 50/300 W.
 */
final class ServerPowerModel {
    static final int STANDBY_WATTS = 10;
    private static final int[] UNKNOWN_GPU = {50, 300};
    private static final Map<String, int[]> GPU_WATTS = Map.of(
            "P100", new int[]{30, 250},
            "V100M16", new int[]{40, 300},
            "V100M32", new int[]{40, 300},
            "T4", new int[]{10, 70},
            "A10", new int[]{20, 150});

    private final ClusterLayout layout;
    private final int[] gpuIdle, gpuDynamic;

    ServerPowerModel(ClusterLayout layout) {
        this.layout = layout;
        gpuIdle = new int[layout.gpuCount()];
        gpuDynamic = new int[layout.gpuCount()];
        for (int g = 0; g < layout.gpuCount(); g++) {
            int[] w = GPU_WATTS.getOrDefault(layout.modelName(layout.gpuModel(g)).toUpperCase(Locale.ROOT), UNKNOWN_GPU);
            gpuIdle[g] = w[0];
            gpuDynamic[g] = w[1] - w[0];
        }
    }

    /** Idle draw of server s, in watts: what suspending it saves, less {@link #STANDBY_WATTS}. */
    double idleWatts(int s) {
        double w = hostIdle(s);
        for (int g = layout.gpuStart(s); g < layout.gpuEnd(s); g++) w += gpuIdle[g];
        return w;
    }

    /** Draw of a powered-on server s as allocated in {@code state}, in watts. */
    double watts(PlacementState state, int s) {
        long cap = layout.cpuCapacity(s);
        double used = cap == 0 ? 0 : (double) (cap - state.cpuFree(s)) / cap;
        double w = hostIdle(s) + (50 + 3 * cap / 1000.0) * used; // host peak - idle = 50 W + 3 W per core
        for (int g = layout.gpuStart(s); g < layout.gpuEnd(s); g++)
            w += gpuIdle[g] + gpuDynamic[g] * (1000 - state.gpuFree(g)) / 1000.0;
        return w;
    }

    private double hostIdle(int s) {
        return 100 + layout.cpuCapacity(s) / 1000.0;
    }
}
