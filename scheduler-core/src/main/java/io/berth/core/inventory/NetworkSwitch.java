package io.berth.core.inventory;

import java.util.Objects;

public record NetworkSwitch(String name, SwitchTier tier, String zone) {
    public NetworkSwitch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tier, "tier");
    }
}
