package io.berth.core.replay;

import io.berth.core.placement.ClusterSnapshot;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.plugins.FragmentationModel;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceReplayTest {
    private static final Path NODES = Path.of("src/test/resources/openb/nodes_excerpt.csv");
    private static final Path TASKS = Path.of("src/test/resources/openb/tasks_excerpt.csv");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"random", "bestfit", "gpupacking", "fgd", "berth"})
    void sameSeedSameRun(String policy) throws Exception {
        var snapshot = ClusterSnapshot.of(TraceFiles.nodes(NODES));
        var tasks = TraceFiles.tasks(TASKS);
        var settings = new PluginSettings(TypicalWorkload.histogram(tasks));
        var frag = FragmentationModel.typical(settings.typicalWorkload());
        var a = ReplayRun.run(snapshot, tasks, Profiles.engine(policy, settings), frag, 42);
        var b = ReplayRun.run(snapshot, tasks, Profiles.engine(policy, settings), frag, 42);
        assertThat(b.allocPctAt()).containsExactly(a.allocPctAt());
        assertThat(b).usingRecursiveComparison().isEqualTo(a);
        assertThat(a.allocAt130()).isBetween(50.0, 100.0);
        assertThat(a.tried()).isGreaterThan(tasks.size()); // inflated to 130% of capacity
    }

    @Test
    void writesCurveAndPrintsTheResultLine(@TempDir Path out) throws Exception {
        String line = TraceReplay.run(ReplayOptions.parse(new String[]{"--nodes", NODES.toString(), "--tasks",
                TASKS.toString(), "--policy", "bestfit", "--seeds", "42..43", "--out", out.toString()}));
        assertThat(line).matches("RESULT tasks=tasks_excerpt\\.csv policy=bestfit seeds=2 unallocated_at_100=\\d+\\.\\d\\d "
                + "sd=\\d+\\.\\d\\d alloc_at_130=\\d+\\.\\d\\d frag_at_80=\\d+\\.\\d\\d");
        List<String> csv = Files.readAllLines(out.resolve("tasks_excerpt_bestfit.csv"));
        assertThat(csv.get(0)).isEqualTo("arrived_pct,alloc_pct_mean,alloc_pct_sd,alloc_pct_seed_42,alloc_pct_seed_43");
        assertThat(csv).hasSize(132); // header + arrived 0..130 %
        assertThat(Files.readString(out.resolve("tasks_excerpt_bestfit.svg"))).startsWith("<svg").contains("polyline");
    }

    @Test
    void optionsFailClearly() {
        assertThat(ReplayOptions.seeds("42..51")).hasSize(10).startsWith(42L).endsWith(51L);
        assertThat(ReplayOptions.seeds("1,5")).containsExactly(1L, 5L);
        assertThatThrownBy(() -> ReplayOptions.parse(new String[]{"--policy", "x"})).hasMessageContaining("required");
        assertThatThrownBy(() -> ReplayOptions.parse(new String[]{"--bogus", "1"})).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> ReplayOptions.parse(new String[]{"--nodes", "/nope.csv", "--tasks", "x", "--policy", "p"}))
                .hasMessageContaining("cannot read");
    }
}
