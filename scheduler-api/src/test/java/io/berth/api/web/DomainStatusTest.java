package io.berth.api.web;

import io.berth.api.errors.Conflict;
import io.berth.api.errors.DomainException;
import io.berth.api.errors.Forbidden;
import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import io.berth.api.errors.Unprocessable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpStatus;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Each kind of domain refusal has its HTTP status, set in one place (the HTTP answers are tested end to end). */
class DomainStatusTest {
    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of(NotFound.of("job", "x"), HttpStatus.NOT_FOUND),
                Arguments.of(Conflict.of("ended"), HttpStatus.CONFLICT),
                Arguments.of(Invalid.field("a", "bad"), HttpStatus.BAD_REQUEST),
                Arguments.of(Forbidden.of("no"), HttpStatus.FORBIDDEN),
                Arguments.of(Unprocessable.of("never-fits", "too big"), HttpStatus.UNPROCESSABLE_CONTENT));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("kinds")
    void mapsTheKindToItsStatus(DomainException e, HttpStatus status) {
        assertThat(ProblemHandler.status(e)).isEqualTo(status);
    }
}
