package io.berth.api.errors;

import java.util.List;

/** The request itself is wrong: each field error names a field and what is wrong with it. Type {@code invalid-request}. */
public final class Invalid extends DomainException {
    private Invalid(String message, List<FieldError> errors) {
        super("invalid-request", message, errors);
    }

    public static Invalid field(String field, String message) {
        return fields(List.of(new FieldError(field, message)));
    }

    /** The message is the one error ({@code field: message}) or how many there are. */
    public static Invalid fields(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " invalid fields";
        return new Invalid(detail, errors);
    }
}
