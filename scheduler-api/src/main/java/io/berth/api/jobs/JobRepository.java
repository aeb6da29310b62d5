package io.berth.api.jobs;

import io.berth.core.spec.JobSpec;

import io.berth.core.scheduling.Usage;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Jobs and their events. Every state change goes through {@link #transition}, which also writes the event. */
@Repository
class JobRepository {
    private static final String COLUMNS = "id, name, tenant, priority, state, spec::text AS spec, attempt, failures, "
            + "max_retries, max_run_seconds, gpu_milli, cpu_millis, memory_mib, pending_reason, message, version, "
            + "created_at, updated_at, started_at, finished_at";

    private final JdbcClient jdbc;

    JobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** SCHEDULED or RUNNING jobs past their maximum run time (counted from their start, else their last change). */
    public List<UUID> overdue() {
        return jdbc.sql("""
                        SELECT id FROM jobs WHERE state IN ('SCHEDULED', 'RUNNING') AND max_run_seconds IS NOT NULL
                          AND coalesce(started_at, updated_at) < now() - make_interval(secs => max_run_seconds)""")
                .query(UUID.class).list();
    }

    /** A job for {@link #insertAll}. */
    /**
     * @param idempotencyScope {@code job} or {@code batch} (keys of single and batch submissions never meet); null
     *                         without a key
     * @param requestHash      hex SHA-256 of the normalised request the key was used with; null without a key
     */
    record NewJob(UUID id, JobSpec spec, String specJson, String idempotencyKey, String idempotencyScope,
                  String requestHash) {
    }

    /** A job stored under an idempotency key, with the hash of its request (null for jobs stored before V8). */
    record Keyed(UUID id, String requestHash) {
    }

    /**
     * Inserts QUEUED jobs with their first events, in one statement (one round trip, and never a job without its
     * event); returns the ids inserted. A job whose idempotency key the tenant used before is not inserted: the unique
     * constraint decides, so concurrent retries cannot both insert.
     */
    Set<UUID> insertAll(List<NewJob> batch) {
        return new HashSet<>(jdbc.sql("""
                        WITH job AS (
                            INSERT INTO jobs (id, name, tenant, priority, state, spec, idempotency_key, max_retries,
                                              max_run_seconds, gpu_milli, cpu_millis, memory_mib, idempotency_scope,
                                              idempotency_hash)
                            SELECT id::uuid, name, tenant, priority, 'QUEUED', spec::jsonb, key, retries, max_run, gpu,
                                   cpu, mem, scope, decode(hash, 'hex')
                            FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[], ?::int[],
                                        ?::int[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) WITH ORDINALITY
                                AS d(id, name, tenant, priority, spec, key, retries, max_run, gpu, cpu, mem, scope, hash, n)
                            ORDER BY n
                            ON CONFLICT (tenant, idempotency_scope, idempotency_key) DO NOTHING
                            RETURNING id)
                        INSERT INTO job_events (job_id, from_state, to_state, reason)
                        SELECT id, NULL, 'QUEUED', 'submitted' FROM job
                        RETURNING job_id""")
                .params(batch.stream().map(j -> j.id().toString()).toArray(String[]::new),
                        batch.stream().map(j -> j.spec().name()).toArray(String[]::new),
                        batch.stream().map(j -> j.spec().tenant()).toArray(String[]::new),
                        batch.stream().map(j -> j.spec().priorityOrDefault()).toArray(Integer[]::new),
                        batch.stream().map(NewJob::specJson).toArray(String[]::new),
                        batch.stream().map(NewJob::idempotencyKey).toArray(String[]::new),
                        batch.stream().map(j -> j.spec().retriesOrDefault()).toArray(Integer[]::new),
                        batch.stream().map(j -> j.spec().maxRunSeconds()).toArray(Integer[]::new),
                        batch.stream().map(j -> j.spec().gpuMilli()).toArray(Long[]::new),
                        batch.stream().map(j -> j.spec().cpuMillis()).toArray(Long[]::new),
                        batch.stream().map(j -> j.spec().memoryMib()).toArray(Long[]::new),
                        batch.stream().map(NewJob::idempotencyScope).toArray(String[]::new),
                        batch.stream().map(NewJob::requestHash).toArray(String[]::new))
                .query(UUID.class).list());
    }

    Optional<Keyed> findByIdempotencyKey(String tenant, String scope, String key) {
        return jdbc.sql("SELECT id, encode(idempotency_hash, 'hex') FROM jobs "
                        + "WHERE tenant = ? AND idempotency_scope = ? AND idempotency_key = ?")
                .params(tenant, scope, key)
                .query((rs, n) -> new Keyed(rs.getObject(1, UUID.class), rs.getString(2))).optional();
    }

    public Optional<JobRow> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = ?").param(id).query(JobRepository::row).optional();
    }

    /** Locks the job row for the rest of the transaction (the first lock every job-changing transaction takes). */
    public Optional<JobRow> lock(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE").param(id)
                .query(JobRepository::row).optional();
    }

    List<JobRow> list(Collection<JobState> states, String tenant, String name, int offset, int limit) {
        Where w = where(states, tenant, name);
        List<Object> params = new ArrayList<>(w.params());
        params.add(limit);
        params.add(offset);
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs" + w.sql() + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?")
                .params(params).query(JobRepository::row).list();
    }

    long count(Collection<JobState> states, String tenant, String name) {
        Where w = where(states, tenant, name);
        return jdbc.sql("SELECT count(*) FROM jobs" + w.sql()).params(w.params()).query(Long.class).single();
    }

    private record Where(String sql, List<Object> params) {
    }

    /** null or empty states = any state. */
    private static Where where(Collection<JobState> states, String tenant, String name) {
        List<String> clauses = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (states != null && !states.isEmpty()) {
            clauses.add("state = ANY (?)");
            params.add(states.stream().map(Enum::name).toArray(String[]::new));
        }
        if (tenant != null) {
            clauses.add("tenant = ?");
            params.add(tenant);
        }
        if (name != null) {
            clauses.add("name = ?");
            params.add(name);
        }
        return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), params);
    }

    /** The queue: QUEUED jobs by priority (highest first), then age. */
    public List<JobRow> queued(int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE state = 'QUEUED' ORDER BY priority DESC, created_at, id LIMIT ?")
                .param(limit).query(JobRepository::row).list();
    }

    /**
     * Moves the job from one of {@code from} to {@code to} and records the event. Returns false (and changes nothing)
     * when the job is in none of {@code from}.
     */
    public boolean transition(UUID id, Collection<JobState> from, JobState to, String reason) {
        Optional<String> previous = jdbc.sql("""
                        UPDATE jobs j SET state = ?, version = j.version + 1, updated_at = now(),
                            pending_reason = CASE WHEN ? = 'QUEUED' THEN j.pending_reason ELSE NULL END,
                            message = ?,
                            started_at = CASE WHEN ? = 'RUNNING' AND j.started_at IS NULL THEN now() ELSE j.started_at END,
                            finished_at = CASE WHEN ? IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() ELSE NULL END
                        FROM (SELECT id, state FROM jobs WHERE id = ? FOR UPDATE) old
                        WHERE j.id = old.id AND old.state = ANY (?)
                        RETURNING old.state""")
                .params(to.name(), to.name(), reason, to.name(), to.name(), id,
                        from.stream().map(Enum::name).toArray(String[]::new))
                .query(String.class).optional();
        previous.ifPresent(p -> event(id, JobState.valueOf(p), to, reason));
        return previous.isPresent();
    }

    /** Placement commit: QUEUED to SCHEDULED only if nobody changed the job since {@code version} was read. */
    public boolean schedule(UUID id, long version, int attempt) {
        int n = jdbc.sql("""
                        UPDATE jobs SET state = 'SCHEDULED', attempt = ?, version = version + 1, updated_at = now(),
                            pending_reason = NULL, message = NULL
                        WHERE id = ? AND state = 'QUEUED' AND version = ?""")
                .params(attempt, id, version).update();
        return n == 1;
    }

    /** {@link #schedule} for many jobs in one statement; returns the ids that moved (the others changed meanwhile). */
    public Set<UUID> scheduleAll(List<JobQueue.Scheduling> jobs) {
        return new HashSet<>(jdbc.sql("""
                        UPDATE jobs j SET state = 'SCHEDULED', attempt = d.attempt, version = j.version + 1,
                            updated_at = now(), pending_reason = NULL, message = NULL
                        FROM unnest(?::uuid[], ?::bigint[], ?::int[]) AS d(id, version, attempt)
                        WHERE j.id = d.id AND j.state = 'QUEUED' AND j.version = d.version
                        RETURNING j.id""")
                .params(jobs.stream().map(j -> j.id().toString()).toArray(String[]::new),
                        jobs.stream().map(JobQueue.Scheduling::version).toArray(Long[]::new),
                        jobs.stream().map(JobQueue.Scheduling::attempt).toArray(Integer[]::new))
                .query(UUID.class).list());
    }

    void resetFailures(UUID id) {
        jdbc.sql("UPDATE jobs SET failures = 0 WHERE id = ?").param(id).update();
    }

    public void countFailure(UUID id) {
        jdbc.sql("UPDATE jobs SET failures = failures + 1 WHERE id = ?").param(id).update();
    }

    /** Records why a queued job waits; writes only when the reason changed. */
    public void setPendingReason(UUID id, String reason) {
        jdbc.sql("UPDATE jobs SET pending_reason = ? WHERE id = ? AND state = 'QUEUED' AND pending_reason IS DISTINCT FROM ?")
                .params(reason, id, reason).update();
    }

    /** {@link #setPendingReason} for many jobs in one statement. */
    public void setPendingReasons(Map<UUID, String> reasons) {
        if (reasons.isEmpty()) return;
        jdbc.sql("""
                        UPDATE jobs j SET pending_reason = d.reason
                        FROM unnest(?::uuid[], ?::text[]) AS d(id, reason)
                        WHERE j.id = d.id AND j.state = 'QUEUED' AND j.pending_reason IS DISTINCT FROM d.reason""")
                .params(reasons.keySet().stream().map(UUID::toString).toArray(String[]::new),
                        reasons.values().toArray(String[]::new))
                .update();
    }

    public void event(UUID id, JobState from, JobState to, String reason) {
        jdbc.sql("INSERT INTO job_events (job_id, from_state, to_state, reason) VALUES (?, ?, ?, ?)")
                .params(id, from == null ? null : from.name(), to.name(), reason).update();
    }

    /** Records many events in one statement, in list order. */
    public void events(List<JobQueue.NewEvent> events) {
        jdbc.sql("""
                        INSERT INTO job_events (job_id, from_state, to_state, reason)
                        SELECT job_id, from_state, to_state, reason
                        FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
                            AS e(job_id, from_state, to_state, reason, n) ORDER BY n""")
                .params(events.stream().map(e -> e.jobId().toString()).toArray(String[]::new),
                        events.stream().map(e -> e.from() == null ? null : e.from().name()).toArray(String[]::new),
                        events.stream().map(e -> e.to().name()).toArray(String[]::new),
                        events.stream().map(JobQueue.NewEvent::reason).toArray(String[]::new))
                .update();
    }

    public record Event(Instant at, JobState from, JobState to, String reason) {
    }

    List<Event> events(UUID id) {
        return jdbc.sql("SELECT at, from_state, to_state, reason FROM job_events WHERE job_id = ? ORDER BY id").param(id)
                .query((rs, n) -> new Event(rs.getTimestamp(1).toInstant(),
                        rs.getString(2) == null ? null : JobState.valueOf(rs.getString(2)),
                        JobState.valueOf(rs.getString(3)), rs.getString(4))).list();
    }

    public record Metric(UUID workerId, int epoch, double loss, Double accuracy, Double samplesPerSecond, Instant at) {
    }

    List<Metric> metrics(UUID jobId) {
        return jdbc.sql("""
                        SELECT worker_id, epoch, loss, accuracy, samples_per_second, at FROM job_metrics
                        WHERE job_id = ? ORDER BY at, epoch""").param(jobId)
                .query((rs, n) -> new Metric(rs.getObject(1, UUID.class), rs.getInt(2), rs.getDouble(3),
                        (Double) rs.getObject(4), (Double) rs.getObject(5), rs.getTimestamp(6).toInstant())).list();
    }

    public record LogLine(long id, UUID workerId, Instant at, String line) {
    }

    List<LogLine> logs(UUID jobId, long afterId, int limit) {
        return jdbc.sql("SELECT id, worker_id, at, line FROM worker_logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?")
                .params(jobId, afterId, limit)
                .query((rs, n) -> new LogLine(rs.getLong(1), rs.getObject(2, UUID.class), rs.getTimestamp(3).toInstant(),
                        rs.getString(4))).list();
    }

    private static JobRow row(ResultSet rs, int n) throws SQLException {
        return new JobRow(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("tenant"),
                rs.getInt("priority"), JobState.valueOf(rs.getString("state")), rs.getString("spec"),
                rs.getInt("attempt"), rs.getInt("failures"), rs.getInt("max_retries"),
                (Integer) rs.getObject("max_run_seconds"), rs.getLong("gpu_milli"), rs.getLong("cpu_millis"),
                rs.getLong("memory_mib"), rs.getString("pending_reason"), rs.getString("message"),
                rs.getLong("version"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("updated_at")),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Queued and placed-or-running jobs per tenant (held resources left at zero: see {@link WorkerRepository}). */
    Map<String, JobService.TenantActivity> activeCountsByTenant() {
        Map<String, JobService.TenantActivity> out = new HashMap<>();
        jdbc.sql("""
                        SELECT tenant, count(*) FILTER (WHERE state = 'QUEUED'), count(*) FILTER (WHERE state <> 'QUEUED')
                        FROM jobs WHERE state IN ('QUEUED', 'SCHEDULED', 'RUNNING') GROUP BY tenant""")
                .query(rs -> {
                    out.put(rs.getString(1), new JobService.TenantActivity(Usage.ZERO, rs.getLong(2), rs.getLong(3)));
                });
        return out;
    }
}
