package io.berth.core.inventory;

import java.util.Objects;

public record Zone(String name) {
    public Zone {
        Objects.requireNonNull(name, "name");
    }
}
