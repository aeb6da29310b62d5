package io.berth.core.placement;

import io.berth.core.inventory.Inventory;
import io.berth.core.inventory.Server;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.plugins.BuiltinPlugins;
import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search skips servers without CPU left for a replica that asks for CPU, when the profile runs the built-in
 * "cpu" filter, and keeps its rotating start where the walk over every server would have left it. Property: that
 * changes no decision and no refusal. The reference is the same profile with the CPU check registered under another
 * name, which the search does not know and so never skips for. Jobs are placed and some released again, on servers
 * whose CPU runs out before their GPUs, so the walks often end without enough feasible servers.
 */
class SearchShortcutsTest {
    private static final String SAME_CHECK = "cpu-under-another-name";

    @ParameterizedTest(name = "policy {0}, max-feasible {1}")
    @CsvSource({"bestfit,1", "bestfit,3", "bestfit,0", "berth,3", "fgd,2"})
    void skippingServersWithoutCpuChangesNoDecision(String policy, int maxFeasible) {
        Random rnd = new Random(policy.hashCode() * 31L + maxFeasible);
        Inventory inventory = cluster(rnd);
        List<JobRequest> jobs = new ArrayList<>();
        for (int j = 0; j < 600; j++) jobs.add(randomJob(rnd, "j" + j));
        var settings = new PluginSettings(jobs.stream().flatMap(j -> j.taskGroups().stream())
                .map(g -> new WeightedShape(g, 1)).toList());

        Profile shortcut = Profiles.named(policy).withMaxFeasible(maxFeasible);
        List<String> filters = shortcut.filters().stream().map(f -> f.equals("cpu") ? SAME_CHECK : f).toList();
        Profile reference = new Profile(policy + "-reference", filters, shortcut.scoreWeights(), maxFeasible);
        PlacementEngine fast = BuiltinPlugins.registry().engine(shortcut, settings);
        PlacementEngine plain = BuiltinPlugins.registry().filter(SAME_CHECK, s -> new CpuCheck())
                .engine(reference, settings);

        var snapshot = ClusterSnapshot.of(inventory);
        PlacementState a = snapshot.workingCopy(), b = snapshot.workingCopy();
        List<Allocation> running = new ArrayList<>();
        int placed = 0, refused = 0;
        for (JobRequest job : jobs) {
            if (!running.isEmpty() && rnd.nextInt(5) == 0) {
                Allocation gone = running.remove(rnd.nextInt(running.size()));
                a.release(gone);
                b.release(gone);
            }
            long seed = rnd.nextLong();
            PlacementResult ra = fast.place(a, job, seed), rb = plain.place(b, job, seed);
            assertThat(ra).as(job.jobId()).isEqualTo(rb);
            if (ra instanceof PlacementResult.Placed p) {
                running.add(new Allocation(job.jobId(), 0, p.assignments()));
                placed++;
            } else {
                refused++;
            }
        }
        assertThat(placed).isGreaterThan(100);
        assertThat(refused).isGreaterThan(100);
    }

    /** The built-in CPU filter's check and reason, under a name the search does not recognise. */
    private static final class CpuCheck implements FilterPlugin {
        public String name() { return SAME_CHECK; }

        public FilterResult filter(CycleContext ctx, int s) {
            return ctx.group().cpuMillis() <= ctx.state().cpuFree(s) ? FilterResult.FITS
                    : FilterResult.reject(ReasonKind.CPU, s, ctx, ctx.group().cpuMillis(), ctx.state().cpuFree(s),
                    ctx.layout().cpuCapacity(s));
        }
    }

    /** 24 servers of 4 or 8 GPUs (two models) with little CPU, so CPU runs out first on many. */
    private static Inventory cluster(Random rnd) {
        Server[] servers = new Server[24];
        for (int i = 0; i < servers.length; i++)
            servers[i] = aServer("s" + i).rack("r" + i / 8).cpu(8_000 + 4_000L * rnd.nextInt(3)).memory(1 << 20)
                    .gpus(i % 3 == 0 ? 8 : 4, i % 2 == 0 ? "H100" : "A100").build();
        return Fixtures.inventory(servers);
    }

    private static JobRequest randomJob(Random rnd, String id) {
        var g = aGroup("g").memory(1024);
        switch (rnd.nextInt(6)) {
            case 0 -> g.cpu(1_000L * (1 + rnd.nextInt(8)));                                  // CPU only
            case 1 -> g.cpu(500L * rnd.nextInt(6)).gpus(1);                                 // one GPU, maybe no CPU
            case 2 -> g.cpu(500L * (1 + rnd.nextInt(4))).gpus(1, 100 * (1 + rnd.nextInt(9))); // a share of one GPU
            case 3 -> g.cpu(1_000L * (1 + rnd.nextInt(4))).gpus(2);
            case 4 -> g.cpu(1_000L * (1 + rnd.nextInt(4))).gpus(1).models("A100");
            default -> g.cpu(2_000).gpus(1, 500).replicas(2);
        }
        return g.job(id);
    }
}
