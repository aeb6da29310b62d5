package io.berth.api.errors;

import java.util.List;

/**
 * A request a feature refuses, said in the feature's terms: the kind of refusal is the subclass (not found, conflict,
 * invalid, forbidden, unprocessable), {@link #type()} is the stable slug of its problem type that clients may switch
 * on, and {@link #fieldErrors()} names the offending fields. Nothing here knows HTTP: the web layer's one handler maps
 * each kind to a status and a problem document. The message is shown to the caller, so it must never carry secrets,
 * SQL or internal state.
 */
public abstract sealed class DomainException extends RuntimeException
        permits NotFound, Conflict, Invalid, Forbidden, Unprocessable {
    /** At most this many field errors are kept; {@link #errorCount()} tells how many there were. */
    public static final int MAX_LISTED_ERRORS = 100;

    private final String type;
    private final List<FieldError> fieldErrors;
    private final int errorCount;

    DomainException(String type, String message, List<FieldError> fieldErrors) {
        super(message);
        this.type = type;
        this.errorCount = fieldErrors.size();
        this.fieldErrors = List.copyOf(fieldErrors.size() > MAX_LISTED_ERRORS
                ? fieldErrors.subList(0, MAX_LISTED_ERRORS) : fieldErrors);
    }

    /** The slug of the problem type, e.g. {@code not-found} or {@code resource-in-use}. */
    public String type() {
        return type;
    }

    /** The first {@link #MAX_LISTED_ERRORS} field errors; empty when the refusal names no field. */
    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** How many field errors were found, including those cut from {@link #fieldErrors()}. */
    public int errorCount() {
        return errorCount;
    }
}
