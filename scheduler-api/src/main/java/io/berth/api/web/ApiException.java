package io.berth.api.web;

import io.berth.api.errors.Conflict;
import io.berth.api.errors.DomainException;
import io.berth.api.errors.Forbidden;
import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import io.berth.api.errors.Unprocessable;
import org.springframework.http.HttpStatus;

import java.net.URI;
import java.util.List;

/**
 * Refusals that belong to HTTP itself, not to a feature: a body over the size limit, a content type the endpoint does
 * not read, too many concurrent requests. Features throw the {@link DomainException}s of {@code io.berth.api.errors}
 * instead; {@link ProblemHandler} turns both into RFC 9457 problem details. The message is shown to the caller, so it
 * must never carry secrets, SQL or internal state.
 */
public class ApiException extends RuntimeException {
    /** The bound on listed field errors; it lives with the domain exceptions, which carry the field errors. */
    public static final int MAX_LISTED_ERRORS = DomainException.MAX_LISTED_ERRORS;

    private final HttpStatus status;
    private final String type;

    protected ApiException(HttpStatus status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return Problems.type(type);
    }

    public static ApiException tooLarge(long limitBytes) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large",
                "request body exceeds the limit of " + limitBytes + " bytes");
    }

    public static ApiException tooManyRequests(String message) {
        return new ApiException(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", message);
    }

    public static ApiException unsupportedMediaType(String contentType, List<String> supported) {
        return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                "content type '" + contentType + "' is not supported; use one of " + supported);
    }

    // --- Bridges for io.berth.api.agents only, which is being split in parallel and converted to the domain
    // exceptions after that merge; then these go. They build the domain exceptions, so the answers are the same.

    /** @deprecated use {@link io.berth.api.errors.FieldError}; kept for io.berth.api.agents until it is converted. */
    @Deprecated
    public record FieldError(String field, String message) {
        io.berth.api.errors.FieldError toDomain() {
            return new io.berth.api.errors.FieldError(field, message);
        }
    }

    /** @deprecated use {@link NotFound#of}. */
    @Deprecated
    public static NotFound notFound(String what, String name) {
        return NotFound.of(what, name);
    }

    /** @deprecated use {@link Forbidden#of}. */
    @Deprecated
    public static Forbidden forbidden(String message) {
        return Forbidden.of(message);
    }

    /** @deprecated use {@link Conflict#of(String)}. */
    @Deprecated
    public static Conflict conflict(String message) {
        return Conflict.of(message);
    }

    /** @deprecated use {@link Invalid#field}. */
    @Deprecated
    public static Invalid invalid(String field, String message) {
        return Invalid.field(field, message);
    }

    /** @deprecated use {@link Invalid#fields}. */
    @Deprecated
    public static Invalid invalid(List<FieldError> errors) {
        return Invalid.fields(errors.stream().map(FieldError::toDomain).toList());
    }

    /** @deprecated use {@link Unprocessable#of(String, String, List)}. */
    @Deprecated
    public static Unprocessable unprocessable(String type, String message, List<FieldError> reasons) {
        return Unprocessable.of(type, message, reasons.stream().map(FieldError::toDomain).toList());
    }

    /** @deprecated use {@link Unprocessable#of(String, String)}. */
    @Deprecated
    public static Unprocessable unprocessable(String type, String message) {
        return Unprocessable.of(type, message);
    }
}
