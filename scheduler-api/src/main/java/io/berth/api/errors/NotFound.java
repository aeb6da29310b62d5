package io.berth.api.errors;

import java.util.List;

/** The named thing does not exist, or the caller may not know that it does (another tenant's job). */
public final class NotFound extends DomainException {
    private NotFound(String message) {
        super("not-found", message, List.of());
    }

    /** {@code what} is the kind of thing ("job", "quota of tenant"), {@code name} its name or id. */
    public static NotFound of(String what, String name) {
        return new NotFound(what + " '" + name + "' not found");
    }
}
