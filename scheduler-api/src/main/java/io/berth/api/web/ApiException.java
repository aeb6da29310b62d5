package io.berth.api.web;

import io.berth.api.errors.DomainException;
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
}
