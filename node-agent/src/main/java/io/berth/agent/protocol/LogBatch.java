package io.berth.agent.protocol;

import java.util.List;

/** Body of {@code POST /api/v1/agents/{name}/workers/{workerId}/logs}: consecutive output lines, oldest first. */
public record LogBatch(List<String> lines) {

    public LogBatch {
        lines = lines == null ? List.of() : List.copyOf(lines);
    }
}
