package io.berth.api.jobs;

import io.berth.core.placement.JobRequest;
import io.berth.core.spec.JobSpec;
import io.berth.core.spec.TaskGroupSpec;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * The stored form of a job's spec (the jsonb {@code jobs.spec}): written once at submission, normalised
 * ({@link JobSpec#normalised()}), and bound back to the same records. Reading is lenient where writing was not: a
 * field a later version dropped is ignored, so rows stored by an older control plane (before normalisation, with
 * explicit nulls, or a runtime written with the other runtime's section as null) still read. The spec was validated
 * on submission, so a failure here is a bug.
 */
public final class JobSpecs {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private JobSpecs() {
    }

    /** The JSON to store for a checked spec. */
    static String json(JobSpec normalised) {
        return JSON.writeValueAsString(normalised);
    }

    public static JobSpec spec(JobRow job) {
        return JSON.readValue(job.specJson(), JobSpec.class);
    }

    /**
     * What the placement engine needs of the job: equal to {@code spec(job).toRequest(id)}. Binds only the fields the
     * engine reads ({@link Placement}: the runtime and the rest are skipped unread), because the scheduler reads a
     * spec for every job it has not seen before, thousands in a cycle after a burst of submissions.
     */
    public static JobRequest request(JobRow job) {
        Placement p = JSON.readValue(job.specJson(), Placement.class);
        return new JobRequest(job.id().toString(), p.tenant(), p.priority() == null ? 0 : p.priority(),
                p.taskGroups().stream().map(TaskGroupSpec::toTaskGroup).toList());
    }

    /** The part of a {@link JobSpec} placement reads; the names are JobSpec's. */
    private record Placement(String tenant, Integer priority, List<TaskGroupSpec> taskGroups) {
    }
}
