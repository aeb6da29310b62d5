package io.berth.core.spec;

import io.berth.core.placement.JobRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A training job as submitted (JSON or YAML) and, {@link #normalised()}, as stored and shown. Null = the default.
 *
 * @param priority      higher runs first; 0 to 1000, default 0
 * @param maxRunSeconds a running job older than this fails; null = no limit
 * @param retries       how many times a failed or lost job is queued again before it FAILS; default 3
 */
public record JobSpec(@NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE) String name,
                      @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE) String tenant,
                      @Min(0) @Max(1000) Integer priority,
                      @NotEmpty @Size(max = 16) List<@NotNull @Valid TaskGroupSpec> taskGroups,
                      @NotNull @Valid RuntimeSpec runtime,
                      @Min(1) @Max(31_536_000) Integer maxRunSeconds,
                      @Min(0) @Max(100) Integer retries) {
    public static final String NAME = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$";
    public static final String NAME_MESSAGE = "must be 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit";
    public static final int DEFAULT_RETRIES = 3;

    public int priorityOrDefault() {
        return priority == null ? 0 : priority;
    }

    public int retriesOrDefault() {
        return retries == null ? DEFAULT_RETRIES : retries;
    }

    /**
     * The spec with every default filled in (priority, retries and each task group's, see
     * {@link TaskGroupSpec#normalised()}): what the control plane stores and shows. Idempotent (a stored spec,
     * normalised or stored before normalisation existed, reads the same), and the result passes the checks the spec
     * passed. The runtime is kept as written: its defaults are the agent's.
     */
    public JobSpec normalised() {
        return new JobSpec(name, tenant, priorityOrDefault(),
                taskGroups.stream().map(TaskGroupSpec::normalised).toList(), runtime, maxRunSeconds, retriesOrDefault());
    }

    /** Rules Bean Validation cannot express (paths relative to the spec); call after Bean Validation passed. */
    public List<SpecError> crossFieldErrors() {
        List<SpecError> errors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < taskGroups.size(); i++) {
            TaskGroupSpec g = taskGroups.get(i);
            String at = "taskGroups[" + i + "].";
            if (!names.add(g.name())) errors.add(new SpecError(at + "name", "duplicate task group name"));
            if (g.gangSize() != null && g.gangSize() > g.replicas())
                errors.add(new SpecError(at + "gangSize", "must be <= replicas (" + g.replicas() + ")"));
            if (g.gpusOrZero() > 1 && g.milliGpu() != null && g.milliGpu() < 1000)
                errors.add(new SpecError(at + "milliGpu", "a shared GPU (milliGpu < 1000) is only possible with gpus = 1"));
            if (g.gpusOrZero() == 0 && g.milliGpu() != null)
                errors.add(new SpecError(at + "milliGpu", "only meaningful with gpus >= 1"));
        }
        return errors;
    }

    /** What the placement engine needs of the job, under the given id. */
    public JobRequest toRequest(String jobId) {
        return new JobRequest(jobId, tenant, priorityOrDefault(),
                taskGroups.stream().map(TaskGroupSpec::toTaskGroup).toList());
    }

    /** Total GPU demand of one copy of the job in milli-GPU, for quotas and fair share. */
    public long gpuMilli() {
        return taskGroups.stream().mapToLong(g -> (long) g.replicas() * g.gpusOrZero() * g.milliGpuOrWhole()).sum();
    }

    /** Total CPU demand in millicores. */
    public long cpuMillis() {
        return taskGroups.stream().mapToLong(g -> g.replicas() * g.cpuMillis()).sum();
    }

    /** Total memory demand in MiB. */
    public long memoryMib() {
        return taskGroups.stream().mapToLong(g -> g.replicas() * g.memoryMib()).sum();
    }
}
