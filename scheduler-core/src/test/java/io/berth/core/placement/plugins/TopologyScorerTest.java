package io.berth.core.placement.plugins;

import io.berth.core.placement.Contexts;
import io.berth.core.placement.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static io.berth.core.placement.Fixtures.aGroup;
import static io.berth.core.placement.Fixtures.aServer;
import static org.assertj.core.api.Assertions.assertThat;

class TopologyScorerTest {
    /**
     * Servers: 0 = a1 (rack a1, leaf-a), 1 = a2 (rack a2, leaf-a), 2 = b1 (rack b1, leaf-b).
     * Fixtures put racks "a1" and "a2" under leaf "leaf-a" (the rack name without its trailing digits).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "first replica: nothing to be close to | ''    | 0 | 0",   // no placed replica
            "same server                           | 0     | 0 | 100", // already used by the job
            "same rack                             | 0     | 3 | 80",  // server 3 is in rack a1 with server 0
            "same leaf, other rack                 | 0     | 1 | 50",  // a1 and a2 hang off leaf-a
            "other leaf                            | 0     | 2 | 0",
            "best of several placed replicas       | 2,1   | 3 | 50"   // 3 shares leaf-a with 1, nothing with 2
    })
    void score(String name, String placed, int server, long expected) {
        var st = Fixtures.state(aServer("s0").rack("a1").build(), aServer("s1").rack("a2").build(),
                aServer("s2").rack("b1").build(), aServer("s3").rack("a1").build());
        int[] servers = placed.isEmpty() ? new int[0] : Arrays.stream(placed.split(",")).mapToInt(Integer::parseInt).toArray();
        var ctx = Contexts.withPlaced(st, aGroup("g").build(), servers);
        assertThat(new TopologyScorer().score(ctx, server, new int[0])).isEqualTo(expected);
    }
}
