package io.berth.core.spec;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.List;
import java.util.Map;

/**
 * A program to run with the worker's GPUs pinned: argv[0] is looked up on the agent's PATH.
 *
 * @param argv       program and arguments, non-empty
 * @param env        extra environment variables, added to the agent's; the agent's own variables for the worker
 *                   (CUDA_VISIBLE_DEVICES, RANK, ...) win; null = none
 * @param workingDir absolute, or relative to the worker's directory in the agent's work dir; null = that directory
 */
public record ProcessSpec(@NotEmpty @Size(max = 256) List<@NotNull @Size(max = 4096) String> argv,
                          @Size(max = 256) Map<@Pattern(regexp = "^[A-Za-z_][A-Za-z0-9_]*$",
                                  message = "must be a valid environment variable name") String,
                                  @NotNull @Size(max = 32768) String> env,
                          @Size(max = 4096) String workingDir) {

    /** {@link #env()}, empty instead of null. */
    public Map<String, String> envOrEmpty() {
        return env == null ? Map.of() : env;
    }
}
