package io.berth.api.web;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Caller-supplied text reaches the log escaped: a newline in a JSON key cannot write a forged log line. */
@ExtendWith(OutputCaptureExtension.class)
class LogInjectionTest extends ApiTestBase {

    @Test
    void aNewlineInAJsonKeyIsLoggedEscaped(CapturedOutput output) {
        Response r = postJson("/api/v1/servers",
                "{\"name\":\"s1\",\"cpuMillis\":1,\"memoryMib\":1,\"x\\n2026-01-01T00:00:00Z ERROR forged\":1}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(output.getOut()).contains("x\\n2026-01-01T00:00:00Z ERROR forged")
                .doesNotContainPattern("(?m)^2026-01-01T00:00:00Z ERROR forged");
    }
}
