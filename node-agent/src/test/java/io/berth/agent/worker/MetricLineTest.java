package io.berth.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.MetricsReport;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MetricLineTest {

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("BERTH_METRIC {\"epoch\":3,\"loss\":0.41,\"accuracy\":0.87,\"samplesPerSecond\":1200.5}",
                        Optional.of(new MetricsReport(3, 0.41, 0.87, 1200.5))),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":2}", Optional.of(new MetricsReport(1, 2.0, null, 0.0))),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":2,\"accuracy\":null}",
                        Optional.of(new MetricsReport(1, 2.0, null, 0.0))),
                Arguments.of("[default0]:BERTH_METRIC {\"epoch\":2,\"loss\":0.5}",
                        Optional.of(new MetricsReport(2, 0.5, null, 0.0))),
                Arguments.of("[default0]: BERTH_METRIC {\"epoch\":2,\"loss\":0.5}", Optional.empty()),
                Arguments.of("epoch 3 loss 0.41", Optional.empty()),
                Arguments.of("  BERTH_METRIC {\"epoch\":1,\"loss\":2}", Optional.empty()),
                Arguments.of("BERTH_METRIC", Optional.empty()),
                Arguments.of("BERTH_METRIC not json", Optional.empty()),
                Arguments.of("BERTH_METRIC [1,2]", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"loss\":2}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":1.5,\"loss\":2}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":-1,\"loss\":2}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":99999999999,\"loss\":2}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":\"2\"}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":-0.5}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":1e999}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":1,\"accuracy\":1.5}", Optional.empty()),
                Arguments.of("BERTH_METRIC {\"epoch\":1,\"loss\":1,\"samplesPerSecond\":-3}", Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("lines")
    void readsOnlyWellFormedMetricLines(String line, Optional<MetricsReport> expected) {
        assertThat(MetricLine.parse(line)).isEqualTo(expected);
    }
}
