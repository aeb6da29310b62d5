package io.berth.api.agents;

import io.berth.api.inventory.ServerStatus;
import io.berth.api.power.ServerEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * A server row's state before and after an agent's registration or heartbeat wrote it, and its accelerators' indices
 * when asked for.
 */
record ServerStateChange(long id, String before, String after, List<Integer> acceleratorIndices) {
    private static final Logger log = LoggerFactory.getLogger(ServerStateChange.class);

    ServerStateChange(long id, String before, String after) {
        this(id, before, after, List.of());
    }

    static ServerStateChange of(ServerStatus.Change c) {
        return new ServerStateChange(c.id(), c.before(), c.after(), c.acceleratorIndices());
    }

    boolean changed() {
        return !before.equals(after);
    }

    /** Records the server event of a power state change made by an agent (none for other changes). */
    void recordPowerEvent(ServerEvents events, String server, String why) {
        if (!changed()) return;
        String event = switch (before + "->" + after) {
            case "RESUMING->READY" -> "resumed: " + why;
            case "POWERED_OFF->READY" -> "powered on: " + why;
            case "POWERING_OFF->POWERED_OFF" -> "powered off: its agent runs the suspend command";
            default -> null;
        };
        if (event == null) return;
        events.record(server, event);
        log.info("server {} {}: {}", server, after, event);
    }
}
