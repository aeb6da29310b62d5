package io.berth.api.jobs;

import io.berth.api.errors.FieldError;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.TaskGroup;
import io.berth.core.placement.TopologyScope;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training job as submitted (JSON or YAML).
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
    static final String NAME = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$";
    static final String NAME_MESSAGE = "must be 1-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit";

    public int priorityOrDefault() {
        return priority == null ? 0 : priority;
    }

    public int retriesOrDefault() {
        return retries == null ? 3 : retries;
    }

    /**
     * One set of identical replicas. Figures are per replica.
     *
     * @param gpus        GPUs per replica, all on one server; 0 = CPU only
     * @param milliGpu    share of each GPU, 1..1000 (default 1000 = whole GPUs); below 1000 only with gpus = 1
     * @param gangSize    replicas that must start together, all or nothing; default = replicas
     * @param topology    NONE, INTERCONNECT_DOMAIN, LEAF_SWITCH or RACK; a preference unless topologyRequired
     */
    public record TaskGroupSpec(@NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE) String name,
                                @NotNull @Min(1) @Max(1024) Integer replicas,
                                @NotNull @PositiveOrZero Long cpuMillis,
                                @NotNull @PositiveOrZero Long memoryMib,
                                @Min(0) @Max(64) Integer gpus,
                                @Min(1) @Max(1000) Integer milliGpu,
                                @Size(max = 32) Set<@NotBlank String> acceleratorModels,
                                @PositiveOrZero Integer minAcceleratorMemoryMib,
                                @PositiveOrZero Long localStorageGib,
                                @PositiveOrZero Integer storageMbPerSec,
                                @PositiveOrZero Long networkMbps,
                                @Min(1) @Max(1024) Integer gangSize,
                                TopologyScope topology,
                                Boolean topologyRequired) {

        int gpusOrZero() {
            return gpus == null ? 0 : gpus;
        }

        int milliGpuOrWhole() {
            return gpusOrZero() == 0 ? 0 : milliGpu == null ? 1000 : milliGpu;
        }

        TaskGroup toTaskGroup() {
            return new TaskGroup(name, replicas, cpuMillis, memoryMib, gpusOrZero(), milliGpuOrWhole(),
                    acceleratorModels, minAcceleratorMemoryMib == null ? 0 : minAcceleratorMemoryMib,
                    localStorageGib == null ? 0 : localStorageGib, storageMbPerSec == null ? 0 : storageMbPerSec,
                    networkMbps == null ? 0 : networkMbps, gangSize == null ? replicas : gangSize, topology,
                    Boolean.TRUE.equals(topologyRequired));
        }
    }

    public enum RuntimeType { embedded, process }

    /**
     * What the workers run. {@code embedded}: the agent's built-in training loop, configured by the training spec
     * (model, data, optimizer, batchSize, epochs...). {@code process}: a program started with the GPUs pinned.
     */
    public record RuntimeSpec(@NotNull RuntimeType type,
                              @Size(max = 64) Map<String, Object> embedded,
                              @Valid ProcessSpec process) {
    }

    /** A program to run: argv[0] is looked up on the agent's PATH; env is added to the agent's environment. */
    public record ProcessSpec(@NotEmpty @Size(max = 256) List<@NotNull @Size(max = 4096) String> argv,
                              @Size(max = 256) Map<@Pattern(regexp = "^[A-Za-z_][A-Za-z0-9_]*$",
                                      message = "must be a valid environment variable name") String,
                                      @NotNull @Size(max = 32768) String> env,
                              @Size(max = 4096) String workingDir) {
    }

    /** Rules Bean Validation cannot express. */
    List<FieldError> crossFieldErrors() {
        List<FieldError> errors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < taskGroups.size(); i++) {
            TaskGroupSpec g = taskGroups.get(i);
            String at = "taskGroups[" + i + "].";
            if (!names.add(g.name())) errors.add(new FieldError(at + "name", "duplicate task group name"));
            if (g.gangSize() != null && g.gangSize() > g.replicas())
                errors.add(new FieldError(at + "gangSize", "must be <= replicas (" + g.replicas() + ")"));
            if (g.gpusOrZero() > 1 && g.milliGpu() != null && g.milliGpu() < 1000)
                errors.add(new FieldError(at + "milliGpu", "a shared GPU (milliGpu < 1000) is only possible with gpus = 1"));
            if (g.gpusOrZero() == 0 && g.milliGpu() != null)
                errors.add(new FieldError(at + "milliGpu", "only meaningful with gpus >= 1"));
        }
        switch (runtime.type()) {
            case embedded -> {
                if (runtime.embedded() == null) errors.add(new FieldError("runtime.embedded", "required for type embedded"));
                if (runtime.process() != null) errors.add(new FieldError("runtime.process", "not allowed for type embedded"));
            }
            case process -> {
                if (runtime.process() == null) errors.add(new FieldError("runtime.process", "required for type process"));
                if (runtime.embedded() != null) errors.add(new FieldError("runtime.embedded", "not allowed for type process"));
            }
        }
        return errors;
    }

    JobRequest toRequest(String jobId) {
        return new JobRequest(jobId, tenant, priorityOrDefault(),
                taskGroups.stream().map(TaskGroupSpec::toTaskGroup).toList());
    }

    /** Total demand per copy of the job, for quotas and fair share. */
    long gpuMilli() {
        return taskGroups.stream().mapToLong(g -> (long) g.replicas() * g.gpusOrZero() * g.milliGpuOrWhole()).sum();
    }

    long cpuMillis() {
        return taskGroups.stream().mapToLong(g -> g.replicas() * g.cpuMillis()).sum();
    }

    long memoryMib() {
        return taskGroups.stream().mapToLong(g -> g.replicas() * g.memoryMib()).sum();
    }
}
