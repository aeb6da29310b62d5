package io.berth.api.web;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class LogsTest {
    static Stream<Arguments> values() {
        return Stream.of(
                arguments("plain text is unchanged", "servers[3].cpuMillis", "servers[3].cpuMillis"),
                arguments("LF cannot start a forged line", "x\n2026-01-01 INFO forged", "x\\n2026-01-01 INFO forged"),
                arguments("CR LF", "a\r\nb", "a\\r\\nb"),
                arguments("tab", "a\tb", "a\\tb"),
                arguments("NUL and ESC", "a\u0000b\u001b[31m", "a\\u0000b\\u001b[31m"),
                arguments("Unicode line separator", "a\u2028b", "a\\u2028b"),
                arguments("null", null, "null"),
                // 512 characters kept, then the length
                arguments("long values are cut", "z".repeat(600), "z".repeat(512) + "...(600 chars)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void escapesControlCharactersAndCutsLongValues(String name, String value, String logged) {
        assertThat(Logs.escape(value)).isEqualTo(logged);
    }
}
