package io.berth.core.protocol;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * One hardware error of one accelerator, as the agent reports it. The control plane decides what to do about it from
 * {@code errorClass} (its health policy); {@code key} names this occurrence, so reports of it repeated by the agent
 * (at least once delivery, agent restarts re-reading the same counters) are recognised and acted on once.
 *
 * @param index      the accelerator's local index
 * @param errorClass {@code xid<N>} (e.g. {@code xid79}), {@code ecc-dbe} (uncorrectable ECC errors counted),
 *                   {@code row-remap-pending}, {@code row-remap-failure}, {@code page-retirement-pending} or
 *                   {@code gpu-lost} (nvidia-smi cannot reach the GPU)
 * @param key        unique per occurrence, at most 128 characters
 * @param message    what was seen, for operators (at most 1,024 characters)
 */
public record AcceleratorError(@Min(0) @Max(1023) int index,
                               @NotNull @Pattern(regexp = "^[a-z][a-z0-9-]{0,39}$") String errorClass,
                               @NotBlank @Size(max = 128) String key,
                               @NotNull @Size(max = 1024) String message) {
}
