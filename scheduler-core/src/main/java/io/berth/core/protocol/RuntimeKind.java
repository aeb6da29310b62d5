package io.berth.core.protocol;

/** What runs a worker; the constants are the wire values (lower case, as in the job spec's runtime.type). */
public enum RuntimeKind {
    /** the agent's built-in trainer, from the job's training spec */
    embedded,
    /** a program the agent starts */
    process
}
