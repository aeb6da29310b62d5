package io.berth.core.power;

import io.berth.core.placement.PlacementState;
import io.berth.core.scheduling.QueuedJob;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one power decision is made from; nothing else is read.
 *
 * @param servers            every server the policy may act on (servers missing here are left alone)
 * @param after              the scheduling cycle's state after its placements: servers that are not ON are not ready
 *                           in it. Never changed; the policy works on copies
 * @param waiting            the jobs the cycle left unschedulable, in queue order
 * @param reserved           servers held by the cycle's reservations: never suspended
 * @param now                the decision's time (from the caller's clock, simulated in the trace simulator)
 * @param suspendsLastMinute suspends already started in the minute before {@code now} (rate limit); >= 0
 * @param resumesLastMinute  resumes already started in the minute before {@code now} (rate limit); >= 0
 * @param seed               tie-break seed of the placement engine's what-if
 */
public record PowerInput(List<PowerServer> servers, PlacementState after, List<QueuedJob> waiting,
                         Set<String> reserved, Instant now, int suspendsLastMinute, int resumesLastMinute, long seed) {
    public PowerInput {
        servers = List.copyOf(servers);
        Objects.requireNonNull(after, "after");
        waiting = List.copyOf(waiting);
        reserved = Set.copyOf(reserved);
        Objects.requireNonNull(now, "now");
        if (suspendsLastMinute < 0 || resumesLastMinute < 0) throw new IllegalArgumentException("negative action count");
    }
}
