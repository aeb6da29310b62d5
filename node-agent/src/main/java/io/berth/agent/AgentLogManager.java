package io.berth.agent;

import java.util.logging.LogManager;

/**
 * java.util.logging's LogManager, except that the JDK's own shutdown hook does not reset it: that
 * hook runs concurrently with the agent's shutdown hook and would silence the log lines of a
 * graceful shutdown (stopping workers, last heartbeat). Installed by {@link NodeAgent#main} through
 * the {@code java.util.logging.manager} system property.
 */
public final class AgentLogManager extends LogManager {

    @Override
    public void reset() {
        if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
            return; // the JDK's shutdown cleaner; handlers write straight to stderr and need no closing
        }
        super.reset();
    }
}
