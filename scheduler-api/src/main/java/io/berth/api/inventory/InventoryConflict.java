package io.berth.api.inventory;

import io.berth.api.errors.Conflict;
import io.berth.api.errors.FieldError;

import java.util.List;

/**
 * Conflicts (409) of inventory edits that would break what the inventory promised: removing or shrinking resources
 * that jobs hold, or an agent's hardware that does not cover an operator's description of its server. The field
 * errors list every refused part.
 */
final class InventoryConflict {
    private InventoryConflict() {
    }

    /** The edit would remove or shrink held resources; the detail names them and their holders. */
    static Conflict inUse(List<FieldError> refusals) {
        return Conflict.of("resource-in-use", summary(refusals) + "; wait until the jobs end (or drain the "
                + "server) and try again", refusals);
    }

    /** An agent's registration does not cover the operator's description of its server. */
    static Conflict hardwareMismatch(String server, List<FieldError> differences) {
        return Conflict.of("hardware-mismatch", "server " + server + " was described by an operator and the "
                + "agent's hardware does not match it: " + summary(differences) + "; replace the server's description "
                + "(PUT /api/v1/servers/" + server + ") or fix the agent's hardware", differences);
    }

    private static String summary(List<FieldError> errors) {
        int shown = Math.min(errors.size(), 5);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            if (i > 0) s.append("; ");
            s.append(errors.get(i).message());
        }
        if (errors.size() > shown) s.append("; and ").append(errors.size() - shown).append(" more");
        return s.toString();
    }
}
