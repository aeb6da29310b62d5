package io.berth.core.inventory;

import java.util.Objects;

/**
 * An undirected link between two endpoints, each a server or a switch name.
 * Bandwidth in Mbit/s, latency in microseconds.
 */
public record NetworkLink(String endpointA, String endpointB, long bandwidthMbps, int latencyMicros) {
    public NetworkLink {
        Objects.requireNonNull(endpointA, "endpointA");
        Objects.requireNonNull(endpointB, "endpointB");
        if (bandwidthMbps < 0 || latencyMicros < 0)
            throw new IllegalArgumentException("bandwidth and latency must be >= 0");
    }

    public boolean touches(String endpoint) {
        return endpointA.equals(endpoint) || endpointB.equals(endpoint);
    }

    public String otherEnd(String endpoint) {
        return endpointA.equals(endpoint) ? endpointB : endpointA;
    }
}
