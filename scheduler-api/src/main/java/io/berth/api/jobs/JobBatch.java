package io.berth.api.jobs;

import io.berth.core.spec.JobSpec;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/** Many jobs submitted in one request (a job array): {@code {"jobs": [spec, ...]}}, at most 1,000. */
public record JobBatch(@NotEmpty @Size(max = JobBatch.MAX_JOBS) List<@NotNull @Valid JobSpec> jobs) {
    /** Jobs in one batch at most; checked before any job is read. */
    public static final int MAX_JOBS = 1000;
}
