package io.berth.api.errors;

import java.util.List;

/** The request contradicts the current state (a job that has already ended, resources that jobs hold). */
public final class Conflict extends DomainException {
    private Conflict(String type, String message, List<FieldError> errors) {
        super(type, message, errors);
    }

    /** A plain conflict, of type {@code conflict}. */
    public static Conflict of(String message) {
        return new Conflict("conflict", message, List.of());
    }

    /** A conflict of its own problem type, listing every refused part. */
    public static Conflict of(String type, String message, List<FieldError> errors) {
        return new Conflict(type, message, errors);
    }
}
