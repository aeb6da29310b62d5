package io.berth.api.jobs;

import tools.jackson.databind.json.JsonMapper;
import io.berth.api.auth.Caller;
import io.berth.api.errors.Conflict;
import io.berth.api.errors.FieldError;
import io.berth.api.errors.Forbidden;
import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import io.berth.api.errors.Unprocessable;
import io.berth.api.paging.Page;
import io.berth.core.placement.JobRequest;
import io.berth.core.placement.PlacementResult;
import io.berth.core.placement.Reason;
import io.berth.core.spec.JobSpec;
import io.berth.core.spec.RuntimeSpec;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import io.berth.core.scheduling.Usage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The jobs feature's facade: submit, read, list, cancel, logs. */
@Service
public class JobService {
    private final JobRepository jobs;
    private final WorkerRepository workers;
    private final JobLifecycle lifecycle;
    private final ApplicationEventPublisher events;
    private final JobFeasibility feasibility;
    private final QuotaCheck quotas;

    /** Published after a change the scheduler should react to at once (a submission, a cancel, a finished worker). */
    /** Jobs whose submission was stored (listeners that care about the commit use a transactional listener). */
    public record JobsSubmitted(List<JobRequest> jobs) {
    }

    public record SchedulingNeeded() {
    }

    JobService(JobRepository jobs, WorkerRepository workers, JobLifecycle lifecycle, ApplicationEventPublisher events,
               JobFeasibility feasibility, QuotaCheck quotas, QueueOutlook outlook) {
        this.outlook = outlook;
        this.quotas = quotas;
        this.jobs = jobs;
        this.workers = workers;
        this.lifecycle = lifecycle;
        this.events = events;
        this.feasibility = feasibility;
    }

    /** Port to the placement engine's can-ever-fit mode, implemented by the scheduling feature. */
    public interface JobFeasibility {
        /** One answer per job, in order, all against the same inventory. */
        List<PlacementResult> canEverFit(List<JobRequest> jobs);
    }

    /** Port to the tenants' quotas, implemented by the scheduling feature. */
    public interface QuotaCheck {
        /**
         * One answer per demand, in order: why a job of this size could never start under its tenant's quota (it
         * asks for more than the quota allows in total, whatever else runs), naming the quota; null when it could.
         */
        List<String> neverWithinQuota(List<Demand> jobs);
    }

    /** Port to the scheduler: where a queued job stands. */
    public interface QueueOutlook {
        /** @return null when the job is not queued (any more) */
        Outlook outlook(UUID jobId);

        /** @param estimatedStartAt null when not known */
        record Outlook(int queuePosition, java.time.Instant estimatedStartAt) {
        }
    }

    private final QueueOutlook outlook;

    /** What one job holds while it runs: milli-GPU and millicores over all its replicas. */
    public record Demand(String tenant, long gpuMilli, long cpuMillis) {
    }

    /**
     * Validates and queues a job. With an idempotency key the tenant already used for the same request (the same
     * spec, however formatted), returns that job instead (replayed = true) and stores nothing; the key used for a
     * different request is 422. A job that could never fit the cluster, or is larger than its tenant's whole quota, is
     * refused with 422. The spec is stored normalised (every default filled in, see {@link JobSpec#normalised()}); the
     * idempotency hash is of the spec as submitted.
     */
    public JobViews.Submitted submit(Caller caller, JobSpec spec, String idempotencyKey) {
        check(caller, spec, "");
        JobSpec stored = spec.normalised();
        String hash = idempotencyKey == null ? null : sha256("job\n" + canonical(spec));
        if (idempotencyKey != null) {
            var existing = jobs.findByIdempotencyKey(spec.tenant(), SINGLE, idempotencyKey);
            if (existing.isPresent()) return replay(existing.get(), hash, idempotencyKey);
        }
        UUID id = UUID.randomUUID();
        requireFits(feasibility.canEverFit(List.of(spec.toRequest(id.toString()))).get(0), "");
        requireWithinQuota(quotas.neverWithinQuota(List.of(demand(spec))).get(0), "");
        Set<UUID> inserted = jobs.insertAll(List.of(new JobRepository.NewJob(id, stored, JobSpecs.json(stored), idempotencyKey,
                idempotencyKey == null ? null : SINGLE, hash)));
        if (inserted.isEmpty()) {
            // a concurrent submission with the same key won the unique constraint
            return replay(jobs.findByIdempotencyKey(spec.tenant(), SINGLE, idempotencyKey).orElseThrow(), hash,
                    idempotencyKey);
        }
        events.publishEvent(new JobsSubmitted(List.of(spec.toRequest(id.toString()))));
        events.publishEvent(new SchedulingNeeded());
        return new JobViews.Submitted(id, JobState.QUEUED, false);
    }

    /**
     * Checks a spec exactly as {@link #submit} does (tenant access, consistency, can it ever fit the cluster and its
     * tenant's quota) and returns what the scheduler would be asked for, under the given id; stores nothing. For
     * "what if I submitted this" questions.
     */
    public JobRequest checkedRequest(Caller caller, JobSpec spec, String jobId) {
        check(caller, spec, "");
        JobRequest request = spec.toRequest(jobId);
        requireFits(feasibility.canEverFit(List.of(request)).get(0), "");
        requireWithinQuota(quotas.neverWithinQuota(List.of(demand(spec))).get(0), "");
        return request;
    }

    /**
     * Validates and queues many jobs in one transaction, all or nothing: one invalid, forbidden or never-fitting job
     * refuses the whole batch, naming it by index ({@code jobs[3]....}). With an idempotency key, job i is stored under
     * the key {@code <key>#<i>} in the batch scope (never confused with a single submission's key) with the hash of
     * the whole batch, so a retried batch returns the jobs of the first one (replayed) and stores nothing, and the
     * key used for a different batch is 422.
     */
    @Transactional
    public List<JobViews.Submitted> submitAll(Caller caller, List<JobSpec> specs, String idempotencyKey) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            try {
                check(caller, specs.get(i), "jobs[" + i + "].");
            } catch (Invalid e) {
                errors.addAll(e.fieldErrors());
            }
        }
        if (!errors.isEmpty()) throw Invalid.fields(errors);
        List<UUID> ids = specs.stream().map(s -> UUID.randomUUID()).toList();
        List<JobRequest> requests = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) requests.add(specs.get(i).toRequest(ids.get(i).toString()));
        List<PlacementResult> fits = feasibility.canEverFit(requests);
        for (int i = 0; i < specs.size(); i++) requireFits(fits.get(i), "jobs[" + i + "].");
        List<String> overQuota = quotas.neverWithinQuota(specs.stream().map(JobService::demand).toList());
        for (int i = 0; i < specs.size(); i++) requireWithinQuota(overQuota.get(i), "jobs[" + i + "].");
        List<JobSpec> normalised = specs.stream().map(JobSpec::normalised).toList();
        String hash = idempotencyKey == null ? null
                : sha256("batch\n" + String.join("\n", specs.stream().map(JobService::canonical).toList()));
        List<JobRepository.NewJob> batch = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            batch.add(new JobRepository.NewJob(ids.get(i), normalised.get(i), JobSpecs.json(normalised.get(i)),
                    idempotencyKey == null ? null : idempotencyKey + "#" + i, idempotencyKey == null ? null : BATCH, hash));
        }
        Set<UUID> inserted = jobs.insertAll(batch);
        List<JobViews.Submitted> out = new ArrayList<>(batch.size());
        for (JobRepository.NewJob j : batch) {
            // a job replayed from a different batch throws, which rolls back the jobs this call inserted
            out.add(inserted.contains(j.id()) ? new JobViews.Submitted(j.id(), JobState.QUEUED, false)
                    : replay(jobs.findByIdempotencyKey(j.spec().tenant(), BATCH, j.idempotencyKey()).orElseThrow(),
                    hash, idempotencyKey));
        }
        if (!inserted.isEmpty()) {
            List<JobRequest> stored = new ArrayList<>(inserted.size());
            for (int i = 0; i < batch.size(); i++) if (inserted.contains(ids.get(i))) stored.add(requests.get(i));
            events.publishEvent(new JobsSubmitted(stored));
            events.publishEvent(new SchedulingNeeded());
        }
        return out;
    }

    /** The caller may submit for the spec's tenant and the spec is consistent; field names start with prefix. */
    /**
     * What every way in (submit, batch, what-if) checks beyond the records' own validation: an embedded runtime's
     * training spec across its fields (the agent would only find out when the job starts), the caller's tenant, and
     * the spec's rules across fields.
     */
    private static void check(Caller caller, JobSpec spec, String prefix) {
        if (spec.runtime() instanceof RuntimeSpec.Embedded embedded) {
            List<FieldError> errors = embedded.embedded().crossFieldErrors().stream()
                    .map(e -> new FieldError(prefix + "runtime.embedded." + e.field(), e.message())).toList();
            if (!errors.isEmpty()) throw Invalid.fields(errors);
        }
        if (!caller.seesAllTenants() && !spec.tenant().equals(caller.tenant()))
            throw Forbidden.of("you may only submit jobs for tenant '" + caller.tenant() + "'");
        List<FieldError> errors = spec.crossFieldErrors().stream()
                .map(e -> new FieldError(prefix + e.field(), e.message())).toList();
        if (!errors.isEmpty()) throw Invalid.fields(errors);
    }

    /** 422 when the job could never fit the cluster, with the engine's reasons per task group. */
    private static void requireFits(PlacementResult fit, String prefix) {
        if (fit instanceof PlacementResult.Unschedulable u) {
            List<FieldError> reasons = new ArrayList<>();
            for (Reason r : u.sample()) reasons.add(new FieldError(prefix + "taskGroups." + u.taskGroup(), r.describe()));
            throw Unprocessable.of("never-fits", (prefix.isEmpty() ? "the job" : prefix.substring(0, prefix.length() - 1))
                    + " can never fit this cluster: " + u.summary(), reasons);
        }
    }

    private static Demand demand(JobSpec spec) {
        return new Demand(spec.tenant(), spec.gpuMilli(), spec.cpuMillis());
    }

    /** 422 when the job alone is more than its tenant's quota allows: it would wait for ever. */
    private static void requireWithinQuota(String problem, String prefix) {
        if (problem == null) return;
        throw Unprocessable.of("never-fits", (prefix.isEmpty() ? "the job" : prefix.substring(0, prefix.length() - 1))
                + " can never start: " + problem, List.of(new FieldError(prefix + "tenant", problem)));
    }

    private JobViews.Submitted replay(JobRepository.Keyed stored, String hash, String key) {
        // a NULL stored hash: stored before V8, when requests were not compared
        if (stored.requestHash() != null && !stored.requestHash().equals(hash)) throw keyReused(key);
        return new JobViews.Submitted(stored.id(), jobs.find(stored.id()).orElseThrow().state(), true);
    }

    private static Unprocessable keyReused(String key) {
        return Unprocessable.of("idempotency-key-reused", "Idempotency-Key '" + key
                + "' was already used for a different request; use a new key for a new request");
    }

    private static final String SINGLE = "job";
    private static final String BATCH = "batch";

    /**
     * The spec as submitted, as JSON with map entries in key order (two requests that differ only in key order hash
     * alike). Stored hashes were computed from this form when the runtime was {@code {type, embedded, process}} with
     * the absent section as null and the training spec a map: it is kept byte for byte, so that a request retried
     * across an upgrade is still recognised.
     */
    static String canonical(JobSpec spec) {
        ObjectNode tree = CANONICAL.valueToTree(spec);
        ObjectNode runtime = CANONICAL.createObjectNode();
        runtime.put("type", spec.runtime().type());
        runtime.set("embedded", spec.runtime() instanceof RuntimeSpec.Embedded e
                ? CANONICAL.valueToTree(CANONICAL.convertValue(e.embedded(), Map.class)) : NullNode.getInstance());
        runtime.set("process", spec.runtime() instanceof RuntimeSpec.Process p
                ? CANONICAL.valueToTree(p.process()) : NullNode.getInstance());
        tree.set("runtime", runtime);
        return CANONICAL.writeValueAsString(tree);
    }

    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(tools.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    /** Hex SHA-256 of the UTF-8 bytes. */
    static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Transactional(readOnly = true)
    public JobViews.JobDetail job(Caller caller, UUID id) {
        JobRow j = visible(caller, id);
        List<WorkerRow> all = workers.ofJob(id);
        List<JobViews.WorkerView> placement = all.stream().filter(w -> w.attempt() == j.attempt())
                .map(JobViews.WorkerView::of).toList();
        Map<UUID, Integer> rankOf = new HashMap<>();
        all.forEach(w -> rankOf.put(w.id(), w.rank()));
        List<JobViews.EpochMetric> metrics = jobs.metrics(id).stream()
                .filter(m -> rankOf.getOrDefault(m.workerId(), -1) == 0)
                .map(m -> new JobViews.EpochMetric(m.epoch(), m.loss(), m.accuracy(), m.samplesPerSecond(), m.at()))
                .toList();
        // a queued job's outlook runs the scheduling cycle forward (see WhatIf): only asked for queued jobs
        QueueOutlook.Outlook o = j.state() == JobState.QUEUED ? outlook.outlook(id) : null;
        return new JobViews.JobDetail(j.id(), j.name(), j.tenant(), j.priority(), j.state(), j.attempt(), j.failures(),
                j.maxRetries(), j.maxRunSeconds(), j.pendingReason(), j.message(), j.createdAt(), j.startedAt(),
                j.finishedAt(), JobSpecs.spec(j), placement, jobs.events(id), metrics,
                o == null ? null : o.queuePosition(), o == null ? null : o.estimatedStartAt());
    }

    @Transactional(readOnly = true)
    /** Newest first; {@code name} (exact), states (any of them) and tenant narrow the list, null or empty = any. */
    public Page<JobViews.JobSummary> list(Caller caller, List<JobState> states, String tenant, String name, int page,
                                          int size) {
        if (!caller.seesAllTenants()) {
            if (tenant != null && !tenant.equals(caller.tenant())) return new Page<>(List.of(), page, size, 0);
            tenant = caller.tenant();
        }
        return new Page<>(summaries(jobs.list(states, tenant, name, page * size, size)), page, size,
                jobs.count(states, tenant, name));
    }

    private List<JobViews.JobSummary> summaries(List<JobRow> rows) {
        Map<UUID, List<String>> servers = workers.serversOf(rows.stream().map(JobRow::id).toList());
        return rows.stream().map(j -> JobViews.JobSummary.of(j, servers.get(j.id()))).toList();
    }

    public JobViews.JobSummary cancel(Caller caller, UUID id) {
        JobRow j = visible(caller, id);
        if (j.state().terminal()) throw Conflict.of("job " + id + " has already ended (" + j.state() + ")");
        lifecycle.cancel(id, "cancelled by request");
        events.publishEvent(new SchedulingNeeded());
        return summaries(List.of(jobs.find(id).orElseThrow())).get(0);
    }

    /** What a control request asks, for {@link #control}. */
    public enum Control { HOLD, RELEASE, REQUEUE }

    /**
     * Hold (QUEUED to HELD), release (HELD to QUEUED) or requeue (SCHEDULED, RUNNING, FAILED or CANCELLED to QUEUED)
     * a job the caller may see, as {@code principal}; 409 naming the job's state when the request does not apply to it.
     */
    public JobViews.JobSummary control(Caller caller, UUID id, Control what) {
        visible(caller, id);
        String by = " by " + caller.name();
        boolean done = switch (what) {
            case HOLD -> lifecycle.hold(id, "held" + by);
            case RELEASE -> lifecycle.release(id, "released" + by);
            case REQUEUE -> lifecycle.requeue(id, "requeued" + by);
        };
        JobRow j = jobs.find(id).orElseThrow();
        if (!done) throw Conflict.of("job " + j.name() + " (" + id + ") is " + j.state() + ": " + switch (what) {
            case HOLD -> "only a QUEUED job can be held";
            case RELEASE -> "only a HELD job can be released";
            case REQUEUE -> "only a SCHEDULED, RUNNING, FAILED or CANCELLED job can be requeued";
        });
        events.publishEvent(new SchedulingNeeded());
        return summaries(List.of(j)).get(0);
    }

    @Transactional(readOnly = true)
    public JobViews.LogLines logs(Caller caller, UUID id, long after, int limit) {
        visible(caller, id);
        Map<UUID, Integer> rankOf = new HashMap<>();
        workers.ofJob(id).forEach(w -> rankOf.put(w.id(), w.rank()));
        List<JobViews.LogLines.Line> lines = jobs.logs(id, after, limit).stream()
                .map(l -> new JobViews.LogLines.Line(l.id(), rankOf.getOrDefault(l.workerId(), -1), l.at(), l.line()))
                .toList();
        return new JobViews.LogLines(lines, lines.isEmpty() ? after : lines.get(lines.size() - 1).id());
    }

    /**
     * What one tenant has in the system now.
     *
     * @param held    milli-GPU and millicores its workers hold
     * @param queued  jobs in state QUEUED
     * @param running jobs in state SCHEDULED or RUNNING
     */
    public record TenantActivity(Usage held, long queued, long running) {
        public static final TenantActivity NONE = new TenantActivity(Usage.ZERO, 0, 0);
    }

    /** Every tenant with workers holding resources or with a queued, placed or running job. */
    public Map<String, TenantActivity> activityByTenant() {
        Map<String, TenantActivity> out = new java.util.TreeMap<>(jobs.activeCountsByTenant());
        workers.heldByTenant().forEach((t, u) -> out.merge(t, new TenantActivity(u, 0, 0),
                (counts, h) -> new TenantActivity(h.held(), counts.queued(), counts.running())));
        return out;
    }

    /** The job's state, for a caller that may see it (404 otherwise). */
    public JobState state(Caller caller, UUID id) {
        return visible(caller, id).state();
    }

    /** The job if the caller may see it; 404 otherwise, also for another tenant's job (ids do not leak). */
    private JobRow visible(Caller caller, UUID id) {
        JobRow j = jobs.find(id).orElseThrow(() -> NotFound.of("job", id.toString()));
        caller.requireTenant(j.tenant(), "job", id.toString());
        return j;
    }
}
