package io.berth.cli;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Jobs by id or by name. A job is named by its id (a UUID), or by its name with this rule: among the jobs the caller
 * may see with that exact name, the one that is still active (QUEUED, HELD, SCHEDULED, RUNNING or PREEMPTED); when
 * none is active, the newest of them. Two or more active jobs of that name make the name ambiguous: the command stops
 * (exit 2) listing their ids, and nothing is changed. No job of that name is exit 1, like an unknown id.
 */
final class Jobs {
    private Jobs() {
    }

    static final Set<String> ACTIVE = Set.of("QUEUED", "HELD", "SCHEDULED", "RUNNING", "PREEMPTED");

    /** The id of the job {@code ref} names (see the class comment). */
    static String resolve(Api api, String ref) {
        if (isUuid(ref)) return ref;
        JsonNode page = api.get("/api/v1/jobs?name=" + Api.q(ref) + "&size=500");
        List<JsonNode> all = new ArrayList<>();
        page.path("items").forEach(all::add);
        if (all.isEmpty()) throw new Berth.CliException(Berth.REFUSED, "Not Found: job '" + ref + "' not found");
        List<JsonNode> active = all.stream().filter(j -> ACTIVE.contains(Out.text(j, "state", ""))).toList();
        if (active.size() > 1) {
            throw Berth.CliException.usage("job name '" + ref + "' is ambiguous: " + active.size() + " active jobs have it ("
                    + String.join(", ", active.stream().map(j -> Out.text(j, "id", "?") + " "
                    + Out.text(j, "state", "?")).toList()) + "); use an id");
        }
        return Out.text(active.isEmpty() ? all.get(0) : active.get(0), "id", null); // the list is newest first
    }

    static boolean isUuid(String s) {
        try {
            return UUID.fromString(s).toString().equalsIgnoreCase(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
