/**
 * The agent protocol: the JSON messages between the control plane and a node agent, as plain records that both sides
 * serialise with their own Jackson mapper (no Jackson type or annotation here). What an agent runs is the job spec's
 * own runtime record ({@link io.berth.core.spec.RuntimeSpec}), exactly as the control plane stored it. The field names are the JSON names;
 * enums are written by name. The Bean Validation annotations are the control plane's checks of every message from an
 * agent (outside input); the agent ignores them. Nothing else in scheduler-core depends on this package.
 *
 * <p>Wire rules both mappers keep: a null field is written as null, except the heartbeat's {@code power},
 * {@code powerState} and {@code powerError}, which the agent leaves out when null (a control plane older than them
 * refuses unknown fields); unknown fields are refused by the control plane and ignored by the agent.
 */
package io.berth.core.protocol;
