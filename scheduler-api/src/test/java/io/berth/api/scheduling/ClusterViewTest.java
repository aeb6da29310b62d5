package io.berth.api.scheduling;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.inventory.InventoryService;
import io.berth.core.placement.Assignment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler's view of the workers holding resources is kept between cycles and updated from the rows written
 * since the previous read. After every kind of change it must equal a view read from scratch, including a change
 * made by a transaction that was still running when the previous read happened and committed after it.
 */
class ClusterViewTest extends ApiTestBase {
    @Autowired
    ClusterView view;
    @Autowired
    SchedulingLoop loop;
    @Autowired
    InventoryService inventory;
    @Autowired
    JdbcClient jdbcClient;
    @Autowired
    SchedulerProperties properties;
    @Autowired
    DataSource dataSource;

    @BeforeEach
    void stopLoop() {
        loop.stop(); // placements happen when the test calls cycle()
    }

    @AfterEach
    void startLoop() {
        loop.start();
    }

    private UUID submit(String name, int replicas, int gpus) {
        Response r = postJson("/api/v1/jobs", "{\"name\":\"" + name + "\",\"tenant\":\"t\",\"taskGroups\":[{\"name\":\"g\","
                + "\"replicas\":" + replicas + ",\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus + "}],"
                + "\"runtime\":{\"type\":\"process\",\"process\":{\"argv\":[\"true\"]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return UUID.fromString(JsonPath.read(r.body(), "$.id"));
    }

    /**
     * Holders (sorted, with their assignments), what each tenant holds, whether any holder stops, and the free CPU,
     * memory and milli-GPU of every server.
     */
    private static String describe(ClusterView.Cycle c) {
        List<String> lines = new ArrayList<>();
        for (io.berth.core.scheduling.Holder h : c.holders()) {
            List<String> parts = new ArrayList<>(h.allocation().assignments().stream().map(Assignment::toString).toList());
            parts.sort(null);
            lines.add(h.jobId() + " stopping=" + h.stopping() + " " + parts);
        }
        c.tenantUsage().forEach((tenant, u) -> lines.add("tenant " + tenant + " gpuMilli=" + u.gpuMilli() + " cpuMillis=" + u.cpuMillis()));
        lines.sort(null);
        lines.add("stopping=" + c.holders().stream().anyMatch(io.berth.core.scheduling.Holder::stopping) + " capacity="
                + c.capacity().gpuMilli() + "/" + c.capacity().cpuMillis());
        for (int s = 0; s < c.layout().serverCount(); s++) {
            StringBuilder free = new StringBuilder(c.layout().serverName(s)).append(" cpu=").append(c.state().cpuFree(s))
                    .append(" mem=").append(c.state().memoryFree(s)).append(" gpus=");
            for (int g = c.layout().gpuStart(s); g < c.layout().gpuEnd(s); g++) free.append(c.state().gpuFree(g)).append(' ');
            lines.add(free.toString());
        }
        return String.join("\n", lines);
    }

    /** What a view that has never read anything sees: every holder, read whole. */
    private String fromScratch() {
        return describe(new ClusterView(inventory, jdbcClient, properties).cycle());
    }

    private String kept() {
        return describe(view.cycle());
    }

    private int assignmentsOf(UUID job) {
        return view.cycle().holders().stream().filter(h -> h.jobId().equals(job.toString()))
                .mapToInt(h -> h.allocation().assignments().size()).sum();
    }

    @Test
    void keptViewEqualsAViewReadFromScratchAfterEveryChange() throws Exception {
        liveServer("view-1", "default", 4, "H100", 64000, 65536);
        liveServer("view-2", "default", 4, "H100", 64000, 65536);
        kept(); // the view has read once before anything holds resources
        UUID gang = submit("gang", 2, 1);
        UUID pair = submit("pair", 1, 2);
        loop.cycle();
        assertThat(view.cycle().holders()).hasSize(2);
        assertThat(kept()).isEqualTo(fromScratch()).contains("tenant t gpuMilli=4000 cpuMillis=3000");

        // a release by a transaction that is still running when the view reads, and commits afterwards, while a
        // transaction that started later has already committed (so the release's xid is below the newest one seen)
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement release = c.prepareStatement(
                    "UPDATE workers SET holds_resources = false WHERE job_id = ? AND rank = 1")) {
                release.setObject(1, gang);
                assertThat(release.executeUpdate()).isEqualTo(1);
            }
            jdbc.update("UPDATE workers SET message = 'a later transaction' WHERE job_id = ?", pair);
            assertThat(assignmentsOf(gang)).isEqualTo(2); // not committed: not seen
            c.commit();
        }
        assertThat(assignmentsOf(gang)).isEqualTo(1);
        assertThat(kept()).isEqualTo(fromScratch());

        jdbc.update("UPDATE workers SET state = 'STOPPING' WHERE job_id = ?", pair);
        assertThat(view.cycle().holders().stream().filter(h -> h.jobId().equals(pair.toString())).findFirst().orElseThrow()
                .stopping()).isTrue();
        assertThat(kept()).isEqualTo(fromScratch());

        // everything given back (the counters too, so the database accepts the next placement)
        jdbc.update("UPDATE workers SET holds_resources = false");
        jdbc.update("UPDATE server_usage SET cpu_millis_used = 0, memory_mib_used = 0");
        jdbc.update("UPDATE accelerator_usage SET used_milli = 0");
        assertThat(view.cycle().holders()).isEmpty();
        assertThat(kept()).isEqualTo(fromScratch()).contains("view-1 cpu=64000 mem=65536 gpus=1000 1000 1000 1000")
                .doesNotContain("tenant t");

        UUID later = submit("later", 1, 3);
        loop.cycle();
        assertThat(assignmentsOf(later)).isEqualTo(1);
        assertThat(kept()).isEqualTo(fromScratch());
    }
}
