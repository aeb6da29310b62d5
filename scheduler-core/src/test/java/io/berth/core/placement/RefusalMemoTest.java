package io.berth.core.placement;

import io.berth.core.placement.plugins.Profiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static io.berth.core.placement.Fixtures.inventory;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shape no server can take stays refused until something is released (PlacementState#refusal): the answer is the
 * one a full search gives, for the asking job, and a release makes the shape placeable again.
 */
class RefusalMemoTest {
    private final PlacementEngine bestfit = Profiles.engine("bestfit", PluginSettings.none());

    @Test
    void aRefusedShapeIsRefusedAgainWithTheSameReasonsUntilARelease() {
        PlacementState st = ClusterSnapshot.of(inventory(aServer("a").gpus(4, "H100").build(),
                aServer("b").gpus(4, "H100").build())).workingCopy();
        var full = (PlacementResult.Placed) bestfit.place(st, aGroup("g").gpus(4).job("fill-a"), 1L);
        bestfit.place(st, aGroup("g").gpus(3).job("fill-b"), 1L);

        var first = (PlacementResult.Unschedulable) bestfit.place(st, aGroup("train").gpus(2).job("j1"), 1L);
        var again = (PlacementResult.Unschedulable) bestfit.place(st, aGroup("other-name").gpus(2).job("j2"), 2L);
        assertThat(again.jobId()).isEqualTo("j2");
        assertThat(again.taskGroup()).isEqualTo("other-name");
        assertThat(again.serversByReason()).isEqualTo(first.serversByReason());
        assertThat(again.summary()).isEqualTo(first.summary()).isEqualTo("2 servers: not enough free GPU");
        // one GPU still fits: a smaller shape is not caught by the refusal of a larger one
        assertThat(bestfit.place(st, aGroup("g").gpus(1).job("small"), 1L)).isInstanceOf(PlacementResult.Placed.class);

        st.release(full.assignments().get(0));
        assertThat(bestfit.place(st, aGroup("train").gpus(2).job("j3"), 1L)).isInstanceOf(PlacementResult.Placed.class);
    }

    /**
     * With and without earlier refusals in the state, a stream of jobs gets the same placements and the same refusals
     * (the reasons of a remembered refusal are those of the first one, so only the decision is compared for those).
     */
    @Test
    void refusalsNeverChangeWhatAStreamOfJobsGets() {
        var servers = new ArrayList<io.berth.core.inventory.Server>();
        for (int i = 0; i < 20; i++) servers.add(aServer("s" + i).cpu(32_000).gpus(i % 3 == 0 ? 4 : 8, i % 2 == 0 ? "A100" : "T4").build());
        var snapshot = ClusterSnapshot.of(inventory(servers.toArray(io.berth.core.inventory.Server[]::new)));
        PlacementState memo = snapshot.workingCopy();
        SplittableRandom shapes = new SplittableRandom(7);
        List<PlacementResult.Placed> placed = new ArrayList<>();
        int refusals = 0;
        for (int i = 0; i < 400; i++) {
            int gpus = 1 << shapes.nextInt(4);
            var builder = aGroup("g").cpu(1000L * (1 + shapes.nextInt(8))).gpus(gpus);
            if (shapes.nextInt(4) == 0) builder.models("A100");
            JobRequest job = builder.job("j" + i);
            // the reference: a fresh copy with the same reservations, which has never refused anything
            PlacementState fresh = snapshot.workingCopy();
            for (PlacementResult.Placed p : placed) p.assignments().forEach(fresh::reserve);
            PlacementResult expected = bestfit.place(fresh, job, new SplittableRandom(i));
            PlacementResult actual = bestfit.place(memo, job, new SplittableRandom(i));
            if (expected instanceof PlacementResult.Placed) assertThat(actual).as("job %d", i).isEqualTo(expected);
            else assertThat(actual).as("job %d", i).isInstanceOf(PlacementResult.Unschedulable.class);
            if (actual instanceof PlacementResult.Placed p) placed.add(p);
            else refusals++;
            if (i % 50 == 49 && !placed.isEmpty()) { // departures, so refused shapes fit again
                PlacementResult.Placed gone = placed.remove(shapes.nextInt(placed.size()));
                gone.assignments().forEach(memo::release);
            }
        }
        assertThat(refusals).as("the stream must exercise both answers").isBetween(50, 390);
    }
}
