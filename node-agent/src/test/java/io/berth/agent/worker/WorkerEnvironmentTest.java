package io.berth.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerEnvironmentTest {

    // suffix = hex of String.hashCode: "a/b" = 97*31*31 + 47*31 + 98 = 94772 = 0x17234, ".." = 0x5c0, "." = 0x2e
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            job-1.r0.a2   | job-1.r0.a2
            ..            | __-5c0
            .             | _-2e
            a/b           | a_b-17234
            a_b           | a_b
            """)
    void directoryNamesAreSafeAndDistinct(String workerId, String expected) {
        assertThat(WorkerEnvironment.directoryName(workerId)).isEqualTo(expected);
    }
}
