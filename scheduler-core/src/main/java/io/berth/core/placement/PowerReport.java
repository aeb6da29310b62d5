package io.berth.core.placement;

import java.util.ArrayList;
import java.util.List;

/**
 * Power awareness: the READY servers that run nothing and could be powered down, with the idle draw each would
 * save (inventory figure in watts; 0 when unknown). Pair with the "power" scorer, which prefers busy servers.
 */
public record PowerReport(List<IdleServer> idleServers, long wattsSaved) {
    public record IdleServer(String server, int idleWatts) {}

    public PowerReport {
        idleServers = List.copyOf(idleServers);
    }

    public static PowerReport of(PlacementState state) {
        ClusterLayout l = state.layout();
        List<IdleServer> idle = new ArrayList<>();
        long watts = 0;
        for (int s = 0; s < l.serverCount(); s++) {
            if (!state.serverReady(s) || !state.idle(s)) continue;
            idle.add(new IdleServer(l.serverName(s), l.idleWatts(s)));
            watts += l.idleWatts(s);
        }
        return new PowerReport(idle, watts);
    }
}
