package io.berth.api.jobs;

import io.berth.core.placement.JobRequest;
import io.berth.core.spec.JobSpec;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

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
     * What the placement engine needs of the job. The scheduling loop reads this once per job it has not seen before
     * and did not get from a submission on this replica (see SchedulingLoop): binding the records costs about 6-8 us
     * per spec on the 2-core test machine (the tree reader it replaced: about 4 us), and only a leader that did not take
     * the submission pays it.
     */
    public static JobRequest request(JobRow job) {
        return spec(job).toRequest(job.id().toString());
    }
}
