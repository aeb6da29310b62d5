package io.berth.agent.worker;

import io.berth.core.protocol.MetricsReport;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a process worker reports an epoch: it prints one line
 * {@code BERTH_METRIC {"epoch":3,"loss":0.41,"accuracy":0.87,"samplesPerSecond":1200.0}} to its output
 * (accuracy and samplesPerSecond optional; the control plane's rules: epoch and loss at least 0, accuracy in [0, 1]),
 * at the start of the line or after torchrun's {@code [default0]:} prefix. The agent forwards such lines as metrics, exactly as an embedded
 * worker's epochs, and ships them as log lines too. A malformed line is only a log line: a program's output
 * never fails its worker.
 */
final class MetricLine {
    static final String PREFIX = "BERTH_METRIC ";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MetricLine() {
    }

    static Optional<MetricsReport> parse(String line) {
        if (line.startsWith("[")) {
            // torchrun --tee prefixes each line of a process with "[<role><local rank>]:"
            int end = line.indexOf("]:");
            if (end > 0) {
                line = line.substring(end + 2);
            }
        }
        if (!line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(line.substring(PREFIX.length()));
            JsonNode epoch = n.get("epoch");
            JsonNode loss = n.get("loss");
            JsonNode accuracy = n.get("accuracy");
            JsonNode rate = n.get("samplesPerSecond");
            if (epoch == null || !epoch.isIntegralNumber() || !epoch.canConvertToInt() || epoch.asInt() < 0) {
                return Optional.empty();
            }
            if (loss == null || !loss.isNumber() || !(loss.asDouble() >= 0) || !Double.isFinite(loss.asDouble())) {
                return Optional.empty();
            }
            boolean hasAccuracy = accuracy != null && !accuracy.isNull();
            if (hasAccuracy && (!accuracy.isNumber() || !(accuracy.asDouble() >= 0 && accuracy.asDouble() <= 1))) {
                return Optional.empty();
            }
            boolean hasRate = rate != null && !rate.isNull();
            if (hasRate && (!rate.isNumber() || !(rate.asDouble() >= 0) || !Double.isFinite(rate.asDouble()))) {
                return Optional.empty();
            }
            return Optional.of(new MetricsReport(epoch.asInt(), loss.asDouble(),
                    hasAccuracy ? accuracy.asDouble() : null, hasRate ? rate.asDouble() : 0));
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }
}
