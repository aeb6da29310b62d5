package io.berth.api.errors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What each factory says: the problem type slug, the message shown to the caller and the field errors. */
class DomainExceptionTest {
    private static final FieldError A = new FieldError("a", "must be >= 0");
    private static final FieldError B = new FieldError("b", "is required");

    static Stream<Arguments> factories() {
        return Stream.of(
                Arguments.of("not found", NotFound.of("job", "j-1"), "not-found", "job 'j-1' not found", List.of()),
                Arguments.of("conflict", Conflict.of("job j has already ended"), "conflict", "job j has already ended",
                        List.of()),
                Arguments.of("conflict of its own type", Conflict.of("resource-in-use", "held", List.of(A)),
                        "resource-in-use", "held", List.of(A)),
                // one error: the detail is "field: message"
                Arguments.of("one invalid field", Invalid.field("a", "must be >= 0"), "invalid-request",
                        "a: must be >= 0", List.of(A)),
                // several: the detail counts them
                Arguments.of("two invalid fields", Invalid.fields(List.of(A, B)), "invalid-request",
                        "2 invalid fields", List.of(A, B)),
                Arguments.of("forbidden", Forbidden.of("not your tenant"), "forbidden", "not your tenant", List.of()),
                Arguments.of("unprocessable", Unprocessable.of("never-fits", "too big", List.of(B)), "never-fits",
                        "too big", List.of(B)),
                Arguments.of("unprocessable without reasons", Unprocessable.of("idempotency-key-reused", "reused"),
                        "idempotency-key-reused", "reused", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void says(String name, DomainException e, String type, String message, List<FieldError> errors) {
        assertThat(List.of(e.type(), e.getMessage(), e.fieldErrors(), e.errorCount()))
                .containsExactly(type, message, errors, errors.size());
    }

    @Test
    void listsAtMostTheBoundButCountsEveryError() {
        List<FieldError> many = IntStream.range(0, DomainException.MAX_LISTED_ERRORS + 5)
                .mapToObj(i -> new FieldError("f" + i, "bad")).toList();
        Invalid e = Invalid.fields(many);
        assertThat(e.fieldErrors()).isEqualTo(many.subList(0, DomainException.MAX_LISTED_ERRORS));
        assertThat(e.errorCount()).isEqualTo(105);
        assertThat(e.getMessage()).isEqualTo("105 invalid fields");
    }
}
