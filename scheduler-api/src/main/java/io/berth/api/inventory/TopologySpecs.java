package io.berth.api.inventory;

import io.berth.core.inventory.SharedVolumeKind;
import io.berth.core.inventory.SwitchTier;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.List;

/** Request and document records for the topology: zones, racks, switches, links and shared volumes. */
public final class TopologySpecs {
    private TopologySpecs() {
    }

    public record ZoneSpec(@NotBlank @Pattern(regexp = Names.PATTERN, message = Names.MESSAGE) String name) {
    }

    /** @param leafSwitch the rack's top-of-rack switch; must exist (or be in the same document) when given */
    public record RackSpec(@NotBlank @Pattern(regexp = Names.PATTERN, message = Names.MESSAGE) String name,
                           @NotBlank String zone,
                           String leafSwitch) {
    }

    public record SwitchSpec(@NotBlank @Pattern(regexp = Names.PATTERN, message = Names.MESSAGE) String name,
                             @NotNull SwitchTier tier,
                             String zone) {
    }

    /** An undirected link between two servers or switches: bandwidth in Mbit/s, latency in microseconds. */
    public record LinkSpec(@NotBlank String endpointA,
                           @NotBlank String endpointB,
                           @NotNull @PositiveOrZero Long bandwidthMbps,
                           @NotNull @PositiveOrZero Integer latencyMicros) {

        /** The same link with its endpoints in sorted order, the form in which links are stored. */
        LinkSpec normalized() {
            return endpointA.compareTo(endpointB) <= 0 ? this
                    : new LinkSpec(endpointB, endpointA, bandwidthMbps, latencyMicros);
        }
    }

    /** A shared NAS/SAN volume: capacity in GiB, bandwidth in MB/s, reachable from {@code racks}. */
    public record VolumeSpec(@NotBlank @Pattern(regexp = Names.PATTERN, message = Names.MESSAGE) String name,
                             @NotNull SharedVolumeKind kind,
                             @NotNull @PositiveOrZero Long capacityGib,
                             @NotNull @PositiveOrZero Integer bandwidthMbPerSec,
                             @Size(max = 1024) List<@NotBlank String> racks) {
    }
}
