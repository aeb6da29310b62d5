package io.berth.core.inventory;

import java.util.Objects;

/** A rack inside a zone; {@code leafSwitch} is the top-of-rack switch its servers hang off (null if unknown). */
public record Rack(String name, String zone, String leafSwitch) {
    public Rack {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(zone, "zone");
    }
}
