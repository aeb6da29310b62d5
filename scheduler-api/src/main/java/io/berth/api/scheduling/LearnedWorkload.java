package io.berth.api.scheduling;

import io.berth.api.jobs.JobService;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.TaskGroup;
import io.berth.core.workload.OnlineWorkload;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.List;

/**
 * The typical workload learned online from the jobs the cluster is given: every task group of every committed
 * submission counts once per replica ({@link OnlineWorkload}, time in hours). Restored from {@code learned_workload}
 * at start-up and written back as one JSON snapshot (one upsert, so a reader sees either the old or the new state)
 * every {@code saveSeconds} when something was learned, and at shutdown. Learning is lost only for the jobs of the
 * last interval before a crash. Thread-safe.
 */
@Component
public class LearnedWorkload {
    private static final Logger log = LoggerFactory.getLogger(LearnedWorkload.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Most shapes kept: bounds memory and the fragmentation scorers' work per candidate. */
    static final int MAX_SHAPES = 256;

    private final JdbcClient jdbc;
    private final Clock clock;
    private final OnlineWorkload workload;
    private volatile long savedVersion;

    @org.springframework.beans.factory.annotation.Autowired
    LearnedWorkload(JdbcClient jdbc, WorkloadProperties properties) {
        this(jdbc, properties, Clock.systemUTC());
    }

    LearnedWorkload(JdbcClient jdbc, WorkloadProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        OnlineWorkload restored = jdbc.sql("SELECT snapshot::text FROM learned_workload WHERE id = 1")
                .query(String.class).optional()
                .map(json -> OnlineWorkload.restore(JSON.readValue(json, OnlineWorkload.Snapshot.class)))
                .orElse(null);
        if (restored != null && restored.snapshot().halfLife() != properties.halfLifeHours()) {
            // a changed half-life applies from now on: keep what was learned, decay it with the new one
            var s = restored.snapshot();
            restored = OnlineWorkload.restore(new OnlineWorkload.Snapshot(properties.halfLifeHours(), MAX_SHAPES, s.time(), s.entries()));
        }
        workload = restored != null ? restored : new OnlineWorkload(properties.halfLifeHours(), MAX_SHAPES);
        savedVersion = workload.version();
        if (restored != null) log.info("typical workload restored: {} shapes", workload.size());
    }

    /** Counts the task groups of jobs whose submission committed. */
    @TransactionalEventListener(fallbackExecution = true)
    void onSubmitted(JobService.JobsSubmitted event) {
        double now = hours();
        for (JobRequest job : event.jobs())
            for (TaskGroup g : job.taskGroups()) workload.observe(g, now);
    }

    /** The learned shapes, heaviest first; empty before the first job. */
    public List<WeightedShape> typical() {
        return workload.typical();
    }

    public OnlineWorkload.Snapshot snapshot() {
        return workload.snapshot();
    }

    /** Changes with every job counted. */
    public long version() {
        return workload.version();
    }

    @Scheduled(fixedDelayString = "${berth.scheduler.workload.save-seconds:10}", initialDelayString = "${berth.scheduler.workload.save-seconds:10}",
            timeUnit = java.util.concurrent.TimeUnit.SECONDS)
    void saveIfChanged() {
        long v = workload.version();
        if (v == savedVersion) return;
        save();
        savedVersion = v;
    }

    /** Writes the whole state in one statement. */
    public void save() {
        String json = JSON.writeValueAsString(workload.snapshot());
        jdbc.sql("""
                        INSERT INTO learned_workload (id, snapshot, updated_at) VALUES (1, CAST(? AS jsonb), now())
                        ON CONFLICT (id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = EXCLUDED.updated_at""")
                .param(json).update();
    }

    @PreDestroy
    void saveAtShutdown() {
        try {
            saveIfChanged();
        } catch (RuntimeException e) {
            log.warn("typical workload not saved at shutdown: {}", e.getMessage());
        }
    }

    private double hours() {
        return clock.millis() / 3_600_000.0;
    }
}
