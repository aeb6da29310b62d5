package io.berth.api.errors;

import java.util.List;

/**
 * The request is well-formed but cannot be carried out: a job that could never fit, an idempotency key reused for
 * another request. Each use has its own problem type.
 */
public final class Unprocessable extends DomainException {
    private Unprocessable(String type, String message, List<FieldError> reasons) {
        super(type, message, reasons);
    }

    public static Unprocessable of(String type, String message, List<FieldError> reasons) {
        return new Unprocessable(type, message, reasons);
    }

    public static Unprocessable of(String type, String message) {
        return new Unprocessable(type, message, List.of());
    }
}
