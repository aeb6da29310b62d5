package io.berth.api.web;

import io.berth.api.db.DatabaseOutage;
import io.berth.api.errors.Conflict;
import io.berth.api.errors.DomainException;
import io.berth.api.errors.FieldError;
import io.berth.api.errors.Forbidden;
import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import io.berth.api.errors.Unprocessable;
import jakarta.validation.ConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The single place where exceptions become RFC 9457 problem details. 4xx are logged at WARN, 5xx at ERROR; a 5xx body
 * never carries the exception's message. Field errors are listed under {@code errors} as {field, message}.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(DomainException.class)
    ResponseEntity<Object> domain(DomainException e, WebRequest request) {
        ResponseEntity<Object> response = problem(status(e), Problems.type(e.type()), e.getMessage(), e.fieldErrors(),
                request);
        // the list is cut at DomainException.MAX_LISTED_ERRORS; the count says how many there were
        if (e.errorCount() > 0 && response.getBody() instanceof ProblemDetail body) body.setProperty("errorCount", e.errorCount());
        return response;
    }

    /** The one place where a kind of refusal becomes an HTTP status. */
    static HttpStatus status(DomainException e) {
        if (e instanceof NotFound) return HttpStatus.NOT_FOUND;
        if (e instanceof Conflict) return HttpStatus.CONFLICT;
        if (e instanceof Invalid) return HttpStatus.BAD_REQUEST;
        if (e instanceof Forbidden) return HttpStatus.FORBIDDEN;
        if (e instanceof Unprocessable) return HttpStatus.UNPROCESSABLE_CONTENT;
        throw new IllegalStateException("unmapped domain exception " + e.getClass().getName());
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> api(ApiException e, WebRequest request) {
        return problem(e.status(), e.type(), e.getMessage(), List.of(), request);
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<Object> duplicate(DuplicateKeyException e, WebRequest request) {
        return problem(HttpStatus.CONFLICT, Problems.type("conflict"), "a resource with this name already exists",
                List.of(), request);
    }

    /** A lost optimistic-version race, a deadlock or a lock timeout: nothing was written, a retry may succeed. */
    @ExceptionHandler(ConcurrencyFailureException.class)
    ResponseEntity<Object> concurrency(ConcurrencyFailureException e, WebRequest request) {
        return problem(HttpStatus.CONFLICT, Problems.type("concurrent-modification"),
                "the resource was changed concurrently; read it again and retry", List.of(), request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(DataIntegrityViolationException e, WebRequest request) {
        log.warn("integrity violation: {}", Logs.escape(e.getMostSpecificCause().getMessage()));
        return problem(HttpStatus.CONFLICT, Problems.type("conflict"),
                "the change conflicts with existing data (a reference or a unique name)", List.of(), request);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<Object> constraint(ConstraintViolationException e, WebRequest request) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldError(v.getPropertyPath().toString(), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
        return domain(Invalid.fields(errors), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, WebRequest request) {
        return domain(Invalid.field(e.getName(), "invalid value '" + e.getValue() + "'"), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
        PayloadTooLargeException tooLarge = causeOf(e, PayloadTooLargeException.class);
        if (tooLarge != null) return api(ApiException.tooLarge(tooLarge.limitBytes()), request);
        if (DatabaseOutage.is(e)) {
            // the transaction, if any, was rolled back: the client may simply retry
            // (logged at DEBUG: the outage itself is logged once by the scheduling loop and the heartbeat monitor)
            log.debug("503 on {}: database unreachable: {}", Logs.escape(request.getDescription(false)), e.getMessage());
            ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                    DatabaseOutageFilter.DETAIL);
            body.setType(Problems.type("database-unavailable"));
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                    .header(HttpHeaders.RETRY_AFTER, Integer.toString(DatabaseOutageFilter.RETRY_AFTER_SECONDS))
                    .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(body);
        }
        log.error("unexpected error on {}", Logs.escape(request.getDescription(false)), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, Problems.type("internal-error"),
                "an internal error occurred; it has been logged", List.of(), request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        e.getBindingResult().getFieldErrors().forEach(f ->
                errors.add(new FieldError(f.getField(), f.getDefaultMessage())));
        e.getBindingResult().getGlobalErrors().forEach(g ->
                errors.add(new FieldError(g.getObjectName(), g.getDefaultMessage())));
        errors.sort(Comparator.comparing(FieldError::field));
        return domain(Invalid.fields(errors), request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
                                                                            HttpHeaders headers, HttpStatusCode status,
                                                                            WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        e.getParameterValidationResults().forEach(r -> {
            // a validated request body names its fields (gpuMilli), not the Java parameter (spec)
            if (r instanceof org.springframework.validation.method.ParameterErrors body) {
                body.getFieldErrors().forEach(f -> errors.add(new FieldError(f.getField(), f.getDefaultMessage())));
                body.getGlobalErrors().forEach(g -> errors.add(new FieldError("body", g.getDefaultMessage())));
            } else {
                r.getResolvableErrors().forEach(err -> errors.add(new FieldError(
                        r.getMethodParameter().getParameterName(), err.getDefaultMessage())));
            }
        });
        return domain(Invalid.fields(errors), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        PayloadTooLargeException tooLarge = causeOf(e, PayloadTooLargeException.class);
        if (tooLarge != null) return api(ApiException.tooLarge(tooLarge.limitBytes()), request);
        JacksonException jackson = causeOf(e, JacksonException.class);
        FieldError error = jackson != null
                ? JacksonErrors.toFieldError(jackson, "JSON")
                : new FieldError("body", "missing or unreadable request body");
        return domain(Invalid.fields(List.of(error)), request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        if (status.is5xxServerError()) log.error("request failed: {}", Logs.escape(request.getDescription(false)), e);
        else log.warn("{} on {}: {}", status.value(), Logs.escape(request.getDescription(false)), Logs.escape(e.getMessage()));
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            HttpStatus known = HttpStatus.resolve(status.value());
            problem.setType(Problems.type(known == null ? "http-" + status.value()
                    : known.getReasonPhrase().toLowerCase(java.util.Locale.ROOT).replace(' ', '-')));
        }
        return response;
    }

    private ResponseEntity<Object> problem(HttpStatusCode status, URI type, String detail,
                                           List<FieldError> errors, WebRequest request) {
        // caller-supplied text (paths, field names, values) is escaped so that it cannot forge log lines
        if (status.is5xxServerError()) log.error("{} on {}: {}", status.value(), Logs.escape(request.getDescription(false)), Logs.escape(detail));
        else log.warn("{} on {}: {}", status.value(), Logs.escape(request.getDescription(false)), Logs.escape(detail));
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type);
        if (!errors.isEmpty()) body.setProperty("errors", errors);
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .body(body);
    }

    static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
            if (t.getCause() == t) break;
        }
        return null;
    }
}
