package io.berth.core.power;

/** Suspend or resume {@code server}; {@code reason} is for the server's event history. */
public record PowerAction(String server, String reason) {
}
