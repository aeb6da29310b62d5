package io.berth.api.jobs;

import io.berth.core.placement.JobRequest;
import tools.jackson.databind.json.JsonMapper;

/** Reads the stored spec of a job back. The spec was validated on submission, so a failure here is a bug. */
public final class JobSpecs {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private JobSpecs() {
    }

    public static JobSpec spec(JobRow job) {
        return JSON.readValue(job.specJson(), JobSpec.class);
    }

    public static JobRequest request(JobRow job) {
        return spec(job).toRequest(job.id().toString());
    }
}
