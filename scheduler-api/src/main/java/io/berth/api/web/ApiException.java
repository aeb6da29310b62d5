package io.berth.api.web;

import org.springframework.http.HttpStatus;

import java.net.URI;
import java.util.List;

/**
 * Base of the exceptions the API turns into RFC 9457 problem details. The message is shown to the caller, so it must
 * never carry secrets, SQL or internal state.
 */
public class ApiException extends RuntimeException {
    /** At most this many field errors are listed in an answer; {@link #errorCount()} tells how many there were. */
    public static final int MAX_LISTED_ERRORS = 100;

    private final HttpStatus status;
    private final String type;
    private final List<FieldError> fieldErrors;
    private final int errorCount;

    protected ApiException(HttpStatus status, String type, String message, List<FieldError> fieldErrors) {
        super(message);
        this.status = status;
        this.type = type;
        this.errorCount = fieldErrors.size();
        this.fieldErrors = List.copyOf(fieldErrors.size() > MAX_LISTED_ERRORS
                ? fieldErrors.subList(0, MAX_LISTED_ERRORS) : fieldErrors);
    }

    /** How many field errors were found; only the first {@link #MAX_LISTED_ERRORS} are in {@link #fieldErrors()}. */
    public int errorCount() {
        return errorCount;
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return Problems.type(type);
    }

    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }

    /** One invalid field: its path in the request (e.g. {@code servers[3].cpuMillis} or {@code row 12: gpu}). */
    public record FieldError(String field, String message) {
    }

    public static ApiException notFound(String what, String name) {
        return new ApiException(HttpStatus.NOT_FOUND, "not-found", what + " '" + name + "' not found", List.of());
    }

    public static ApiException forbidden(String message) {
        return new ApiException(HttpStatus.FORBIDDEN, "forbidden", message, List.of());
    }

    public static ApiException conflict(String message) {
        return new ApiException(HttpStatus.CONFLICT, "conflict", message, List.of());
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " invalid fields";
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", detail, errors);
    }

    public static ApiException unprocessable(String type, String message, List<FieldError> reasons) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, type, message, reasons);
    }

    /** 422: the request is well-formed but contradicts an earlier one (e.g. an idempotency key reused for another body). */
    public static ApiException unprocessable(String type, String message) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, type, message, List.of());
    }

    public static ApiException tooLarge(long limitBytes) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large",
                "request body exceeds the limit of " + limitBytes + " bytes", List.of());
    }

    public static ApiException tooManyRequests(String message) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", message, List.of());
    }

    public static ApiException unsupportedMediaType(String contentType, List<String> supported) {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                "content type '" + contentType + "' is not supported; use one of " + supported, List.of());
    }
}
