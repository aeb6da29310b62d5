package io.berth.core.placement;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/** What a job asks for. Higher priority is more important. Task group names are unique within the job. */
public record JobRequest(String jobId, String tenant, int priority, List<TaskGroup> taskGroups) {
    public JobRequest {
        Objects.requireNonNull(jobId, "jobId");
        tenant = tenant == null ? "" : tenant;
        taskGroups = List.copyOf(taskGroups);
        if (taskGroups.isEmpty()) throw new IllegalArgumentException("a job needs at least one task group");
        var names = new HashSet<String>();
        for (TaskGroup g : taskGroups)
            if (!names.add(g.name())) throw new IllegalArgumentException("duplicate task group " + g.name());
    }

    public static JobRequest of(String jobId, TaskGroup... groups) {
        return new JobRequest(jobId, "", 0, List.of(groups));
    }
}
