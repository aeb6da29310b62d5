package io.berth.api.jobs;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.berth.api.auth.Caller;
import io.berth.api.errors.Invalid;
import io.berth.api.paging.Page;
import io.berth.api.web.ApiException;
import io.berth.api.web.DocumentReader;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import io.berth.core.spec.JobSpec;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

@RestController
@RequestMapping("/api/v1/jobs")
class JobController {
    /** The problem-details schema of the OpenAPI description (see web.OpenApiConfiguration). */
    private static final String PROBLEM = "#/components/schemas/Problem";
    private final JobService jobs;
    private final DocumentReader documents;
    /**
     * Batches being validated and stored at once. Bulk submission is CPU-heavy; bounding it keeps the scheduling loop
     * (one thread) from being starved by a submission storm, like Kubernetes' API priority and fairness does for
     * request classes. Callers beyond the bound wait their turn, and get 429 after {@link #BATCH_WAIT_SECONDS}.
     */
    private final Semaphore batchSlots;
    private static final int BATCH_WAIT_SECONDS = 30;

    JobController(JobService jobs, DocumentReader documents,
                  @Value("${berth.api.batch-concurrency:0}") int batchConcurrency) {
        this.jobs = jobs;
        this.documents = documents;
        if (batchConcurrency < 0) throw new IllegalStateException("berth.api.batch-concurrency must be >= 0 (0 = auto)");
        this.batchSlots = new Semaphore(batchConcurrency > 0 ? batchConcurrency
                : Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);
    }

    /**
     * Submits a job spec as JSON or YAML. 201 with the job's id; with an Idempotency-Key already used by the tenant,
     * 200 with the existing job. 422 when the job could never fit the cluster.
     */
    @PostMapping(consumes = MediaType.ALL_VALUE)
    @ApiResponse(responseCode = "201", description = "stored and queued", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "200", description = "an Idempotency-Key already used by the tenant: the job first "
            + "submitted with it", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "422", description = "the job could never fit the cluster or its tenant's quota "
            + "(the reasons are listed), or the Idempotency-Key was used for another request",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    ResponseEntity<JobViews.Submitted> submit(@io.swagger.v3.oas.annotations.parameters.RequestBody(
                                                      required = true, description = "a job spec", content = {
                                                      @Content(mediaType = "application/json",
                                                              schema = @Schema(implementation = JobSpec.class)),
                                                      @Content(mediaType = "application/yaml",
                                                              schema = @Schema(implementation = JobSpec.class))})
                                              @RequestBody(required = false) byte[] body,
                                              @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
                                              @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        checkKey(key);
        JobSpec spec = documents.read(body, DocumentReader.concreteType(contentType, SUPPORTED), JobSpec.class);
        JobViews.Submitted submitted = jobs.submit(Caller.current(), spec, key);
        return ResponseEntity.status(submitted.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .location(URI.create("/api/v1/jobs/" + submitted.id())).body(submitted);
    }

    /**
     * Submits a batch of jobs (a job array), all or nothing: 201 with their ids in request order; 400 or 422 naming
     * the first offending job by index ({@code jobs[3].taskGroups[0].gpus}) and nothing stored. With an
     * Idempotency-Key already used for a batch of the same tenants, 200 with the jobs of that batch.
     */
    @PostMapping(value = "/batch", consumes = MediaType.ALL_VALUE)
    @ApiResponse(responseCode = "201", description = "all jobs stored and queued, ids in request order",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "200", description = "an Idempotency-Key already used for a batch: its jobs",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "422", description = "a job could never fit (named by index, jobs[3]), or the "
            + "Idempotency-Key was used for another request; nothing stored",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    @ApiResponse(responseCode = "429", description = "too many batches at once; retry later",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    ResponseEntity<JobViews.BatchSubmitted> submitBatch(@io.swagger.v3.oas.annotations.parameters.RequestBody(
                                                      required = true, description = "up to 1,000 job specs", content = {
                                                      @Content(mediaType = "application/json",
                                                              schema = @Schema(implementation = JobBatch.class)),
                                                      @Content(mediaType = "application/yaml",
                                                              schema = @Schema(implementation = JobBatch.class))})
                                               @RequestBody(required = false) byte[] body,
                                               @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
                                               @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        checkKey(key);
        // the size limit is checked on the parsed tree, before any job is bound or validated and before taking a slot
        JsonNode tree = documents.readTree(body, DocumentReader.concreteType(contentType, SUPPORTED));
        JsonNode jobsNode = tree.get("jobs");
        if (jobsNode != null && jobsNode.isArray() && jobsNode.size() > JobBatch.MAX_JOBS)
            throw Invalid.field("jobs", "at most " + JobBatch.MAX_JOBS + " jobs per batch, got " + jobsNode.size());
        try {
            if (!batchSlots.tryAcquire(BATCH_WAIT_SECONDS, TimeUnit.SECONDS))
                throw ApiException.tooManyRequests("too many batch submissions at once; try again later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.tooManyRequests("interrupted while waiting for a batch submission slot");
        }
        List<JobViews.Submitted> submitted;
        try {
            JobBatch batch = documents.convert(tree, JobBatch.class);
            documents.validate(batch);
            submitted = jobs.submitAll(Caller.current(), batch.jobs(), key);
        } finally {
            batchSlots.release();
        }
        boolean replayed = submitted.stream().allMatch(JobViews.Submitted::replayed);
        return ResponseEntity.status(replayed ? HttpStatus.OK : HttpStatus.CREATED).body(new JobViews.BatchSubmitted(submitted));
    }

    private static void checkKey(String key) {
        if (key != null && (key.isBlank() || key.length() > 255))
            throw Invalid.field("Idempotency-Key", "must be 1 to 255 characters");
    }

    private static final List<String> SUPPORTED = List.of("application/json", "application/yaml");

    /**
     * Jobs the caller may see, newest first; {@code state} may be repeated or comma-separated (any of them);
     * {@code name} is an exact match (names need not be unique).
     */
    @GetMapping
    Page<JobViews.JobSummary> list(@RequestParam(required = false) List<JobState> state,
                                   @RequestParam(required = false) String tenant,
                                   @RequestParam(required = false) String name,
                                   @RequestParam(defaultValue = "0") @Min(0) int page,
                                   @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        return jobs.list(Caller.current(), state, tenant, name, page, size);
    }

    @GetMapping("/{id}")
    JobViews.JobDetail get(@PathVariable UUID id) {
        return jobs.job(Caller.current(), id);
    }

    @PostMapping("/{id}/cancel")
    JobViews.JobSummary cancel(@PathVariable UUID id) {
        return jobs.cancel(Caller.current(), id);
    }

    /** QUEUED to HELD: the scheduler leaves the job alone until it is released. */
    @PostMapping("/{id}/hold")
    @ApiResponse(responseCode = "200", description = "held", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the job is not QUEUED",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    JobViews.JobSummary hold(@PathVariable UUID id) {
        return jobs.control(Caller.current(), id, JobService.Control.HOLD);
    }

    /** HELD to QUEUED. */
    @PostMapping("/{id}/release")
    @ApiResponse(responseCode = "200", description = "queued again", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the job is not HELD",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    JobViews.JobSummary release(@PathVariable UUID id) {
        return jobs.control(Caller.current(), id, JobService.Control.RELEASE);
    }

    /**
     * Back to QUEUED: a SCHEDULED or RUNNING job's workers are stopped without charging a retry; a FAILED or
     * CANCELLED job runs again with its retries restored.
     */
    @PostMapping("/{id}/requeue")
    @ApiResponse(responseCode = "200", description = "queued again", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", description = "the job is QUEUED, HELD or SUCCEEDED",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    JobViews.JobSummary requeue(@PathVariable UUID id) {
        return jobs.control(Caller.current(), id, JobService.Control.REQUEUE);
    }

    /** The training curve (loss and accuracy per epoch) as an SVG picture. */
    @GetMapping(value = "/{id}/metrics.svg", produces = "image/svg+xml")
    String metricsChart(@PathVariable UUID id) {
        JobViews.JobDetail job = jobs.job(Caller.current(), id);
        return LossChart.svg(job.name() + " (" + job.state() + ")", job.metrics());
    }

    /** Log lines of every worker, oldest first, after the cursor {@code after} (the {@code next} of the last page). */
    @GetMapping(value = "/{id}/logs", produces = MediaType.APPLICATION_JSON_VALUE)
    JobViews.LogLines logs(@PathVariable UUID id, @RequestParam(defaultValue = "0") @Min(0) long after,
                           @RequestParam(defaultValue = "1000") @Min(1) @Max(10000) int limit) {
        return jobs.logs(Caller.current(), id, after, limit);
    }

    /**
     * The same lines as plain text (Accept: text/plain), one per line, oldest first, from the cursor {@code after}.
     * With {@code follow=true} the answer is streamed (chunked) as lines arrive and ends once the job has ended
     * (SUCCEEDED, FAILED or CANCELLED) and its last lines are sent, or when the client goes away. {@code prefix=true}
     * starts each line with {@code [rank N] }.
     */
    @GetMapping(value = "/{id}/logs", produces = MediaType.TEXT_PLAIN_VALUE)
    @ApiResponse(responseCode = "200", description = "log lines as text; streamed until the job ends with follow=true",
            content = @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string")))
    void logsText(@PathVariable UUID id, @RequestParam(defaultValue = "0") @Min(0) long after,
                  @RequestParam(defaultValue = "false") boolean follow,
                  @RequestParam(defaultValue = "false") boolean prefix,
                  jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
        Caller caller = Caller.current();
        jobs.state(caller, id); // 404 before anything is written
        response.setContentType("text/plain;charset=UTF-8");
        var out = new java.io.PrintWriter(new java.io.OutputStreamWriter(response.getOutputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        long cursor = after;
        while (true) {
            // the state is read before the lines: lines written before the job ended are all sent before stopping
            boolean ended = !follow || jobs.state(caller, id).terminal();
            JobViews.LogLines page;
            do {
                page = jobs.logs(caller, id, cursor, 1000);
                for (JobViews.LogLines.Line l : page.lines())
                    out.append(prefix ? "[rank " + l.rank() + "] " : "").append(l.text()).append('\n');
                cursor = page.next();
            } while (page.lines().size() == 1000);
            out.flush();
            if (out.checkError() || ended) return; // checkError: the client went away
            try {
                Thread.sleep(FOLLOW_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** How often a followed log is read again; requests run on virtual threads, so a waiting follower is cheap. */
    private static final long FOLLOW_POLL_MILLIS = 500;
}
