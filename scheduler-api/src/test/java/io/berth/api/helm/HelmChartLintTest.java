package io.berth.api.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code helm lint --strict}: warnings fail too. Lint renders values.yaml, so it also checks it against the schema. */
class HelmChartLintTest {

    @Test
    void strictLintPasses() {
        LintResult result = new Helm(RenderedChart.chartDir()).lint().strict().call();

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }
}
