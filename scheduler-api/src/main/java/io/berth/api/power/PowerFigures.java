package io.berth.api.power;

import java.time.Instant;
import java.util.List;

/** The cluster's power as GET /api/v1/cluster/power answers it (the contract shared with the dashboard). */
final class PowerFigures {
    private PowerFigures() {
    }

    /**
     * @param at            when the figures were read
     * @param pue           the configured berth.power.pue
     * @param itWatts       the sum of the servers' watts
     * @param facilityWatts round(itWatts x pue)
     * @param energyJoules  the IT energy integrated from the servers' reports since they were added (the sum of the
     *                      servers' counters: deleting a server takes its energy out)
     */
    record ClusterPower(Instant at, double pue, long itWatts, long facilityWatts, long energyJoules,
                        List<ZonePower> zones, List<RackPower> racks, List<ServerPower> servers) {
    }

    /** @param zone the server's rack's zone; "" when none */
    record ZonePower(String zone, long itWatts, int servers) {
    }

    /** @param rack "" when none */
    record RackPower(String rack, String zone, long itWatts, int servers) {
    }

    /**
     * @param watts  the server's figure, W; 0 when its agent is silent longer than the heartbeat timeout, when it is
     *               POWERED_OFF, or when there is no figure
     * @param source the parts its agent measured joined by '+' ("nvidia-smi", "rapl"), "model" (the agent's or the
     *               control plane's idle/peak interpolation), or "none" (no figure, or silent, or powered off)
     * @param at     when the figure was reported (the read time for a model the control plane computed); null when
     *               never
     */
    record ServerPower(String name, String rack, int watts, String source, Instant at) {
    }
}
