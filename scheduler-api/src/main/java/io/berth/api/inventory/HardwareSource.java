package io.berth.api.inventory;

/**
 * Who described a server's hardware (V9 {@code servers.hardware_source}). An operator's description (API, import,
 * node sync) is never replaced by an agent's registration; an agent's own is updated when its hardware changes.
 */
public enum HardwareSource {
    OPERATOR, AGENT
}
