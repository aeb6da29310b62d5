package io.berth.api.errors;

import java.util.List;

/** The caller is known but may not do this (another tenant, a token bound to another server). */
public final class Forbidden extends DomainException {
    private Forbidden(String message) {
        super("forbidden", message, List.of());
    }

    public static Forbidden of(String message) {
        return new Forbidden(message);
    }
}
