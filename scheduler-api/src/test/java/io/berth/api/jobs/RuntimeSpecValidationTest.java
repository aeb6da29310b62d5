package io.berth.api.jobs;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime is a sealed type on the wire ({@code {"type":"process","process":{...}}}): its type and sections are
 * still named like fields, with the messages the API gave before it was one.
 */
class RuntimeSpecValidationTest extends ApiTestBase {
    private static final String TRAINING = "{\"data\":{\"type\":\"generated\",\"generator\":\"xor\"},\"epochs\":1}";
    private static final String PROCESS = "{\"argv\":[\"true\"]}";

    @BeforeEach
    void cluster() {
        postJson("/api/v1/servers", "{\"name\":\"cpu-1\",\"cpuMillis\":8000,\"memoryMib\":16384}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            process section missing       | {"type":"process"}                                          | runtime.process  | required for type process
            embedded section missing      | {"type":"embedded"}                                         | runtime.embedded | required for type embedded
            both sections                 | {"type":"embedded","embedded":TRAINING,"process":PROCESS}   | runtime.process  | not allowed for type embedded
            no type                       | {"process":PROCESS}                                         | runtime.type     | must not be null
            unknown type                  | {"type":"gpu","process":PROCESS}                            | runtime.type     | invalid value 'gpu', expected one of embedded, process
            other section null (as older GET answers wrote it) | {"type":"process","process":PROCESS,"embedded":null} | - | -
            """)
    void namesTheRuntimeField(String name, String runtime, String field, String message) {
        String body = "{\"name\":\"j\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\",\"replicas\":1,\"cpuMillis\":100,"
                + "\"memoryMib\":64}],\"runtime\":" + runtime.replace("TRAINING", TRAINING).replace("PROCESS", PROCESS) + "}";
        Response r = postJson("/api/v1/jobs", body);

        if (field == null) {
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            return;
        }
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat((List<Map<String, String>>) JsonPath.read(r.body(), "$.errors"))
                .containsExactly(Map.of("field", field, "message", message));
    }
}
