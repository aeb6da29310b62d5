package io.berth.core.spec;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * What the workers of a job run, on the wire {@code {"type":"embedded","embedded":{...}}} or
 * {@code {"type":"process","process":{...}}}. A new runtime is one record here (named in {@link JsonSubTypes}) and
 * one worker factory in the node agent's {@code WorkerManager} (its {@code WorkerFactoryTest} fails until it has one).
 *
 * <p>Reading: a missing or unknown {@code type} and the section of another runtime are refused while binding (the
 * control plane names them {@code runtime.type} and {@code runtime.<section>}); a missing section is a validation
 * error ("required for type ...").
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = RuntimeSpec.Embedded.class, name = RuntimeSpec.EMBEDDED),
        @JsonSubTypes.Type(value = RuntimeSpec.Process.class, name = RuntimeSpec.PROCESS)})
public sealed interface RuntimeSpec {
    String EMBEDDED = "embedded";
    String PROCESS = "process";

    /** The wire name ({@code runtime.type}). */
    String type();

    /** The agent's built-in training loop, configured by the training spec. */
    record Embedded(@NotNull(message = "required for type " + EMBEDDED) @Valid TrainingSpec embedded)
            implements RuntimeSpec {
        @Override
        public String type() {
            return EMBEDDED;
        }
    }

    /** A program the agent starts with the GPUs pinned. */
    record Process(@NotNull(message = "required for type " + PROCESS) @Valid ProcessSpec process)
            implements RuntimeSpec {
        @Override
        public String type() {
            return PROCESS;
        }
    }
}
