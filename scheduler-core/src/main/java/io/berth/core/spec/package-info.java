/**
 * The job spec: what a user submits (JSON or YAML), what the control plane stores (normalised, see
 * {@link io.berth.core.spec.JobSpec#normalised()}) and what an agent is told to run
 * ({@link io.berth.core.spec.RuntimeSpec}, inside the protocol's {@code Assignment}). One set of records both sides
 * bind, so the submission check and the worker cannot drift apart. The field names are the JSON names.
 *
 * <p>The Bean Validation annotations are the control plane's checks at submission (the messages are part of the API);
 * rules across fields are {@code crossFieldErrors()}. The Jackson annotations here are annotation-only
 * ({@code com.fasterxml.jackson.annotation}, no Jackson code): they say which JSON shape the sealed
 * {@link io.berth.core.spec.RuntimeSpec} has, so every mapper that reads or writes a spec (the control plane's strict
 * JSON and YAML readers, its stored-spec reader, the agent's client) gets the same shape without registering
 * anything; a mixin on each side would be two hand-kept copies of the list of runtimes.
 */
package io.berth.core.spec;
