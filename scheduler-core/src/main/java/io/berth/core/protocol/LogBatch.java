package io.berth.core.protocol;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/** Body of {@code POST /api/v1/agents/{name}/workers/{workerId}/logs}: consecutive output lines, oldest first. */
public record LogBatch(@NotNull @Size(max = 5000) List<@NotNull @Size(max = 16_384) String> lines) {
}
