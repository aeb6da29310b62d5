package io.berth.api.jobs;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.berth.api.auth.Caller;
import io.berth.api.web.ApiException;
import io.berth.api.web.DocumentReader;
import io.berth.api.web.Page;
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
        checkRuntime(spec, "");
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
            throw ApiException.invalid("jobs", "at most " + JobBatch.MAX_JOBS + " jobs per batch, got " + jobsNode.size());
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
            for (int i = 0; i < batch.jobs().size(); i++) checkRuntime(batch.jobs().get(i), "jobs[" + i + "].");
            submitted = jobs.submitAll(Caller.current(), batch.jobs(), key);
        } finally {
            batchSlots.release();
        }
        boolean replayed = submitted.stream().allMatch(JobViews.Submitted::replayed);
        return ResponseEntity.status(replayed ? HttpStatus.OK : HttpStatus.CREATED).body(new JobViews.BatchSubmitted(submitted));
    }

    private static void checkKey(String key) {
        if (key != null && (key.isBlank() || key.length() > 255))
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 255 characters");
    }

    private static final List<String> SUPPORTED = List.of("application/json", "application/yaml");

    /** An embedded runtime is checked at submission (the agent would only find out when the job starts). */
    private void checkRuntime(JobSpec spec, String prefix) {
        if (spec.runtime().embedded() == null) return;
        EmbeddedTrainingSpec training = documents.convert(spec.runtime().embedded(), EmbeddedTrainingSpec.class,
                prefix + "runtime.embedded");
        List<ApiException.FieldError> errors = training.crossFieldErrors().stream()
                .map(e -> new ApiException.FieldError(prefix + "runtime.embedded." + e.field(), e.message())).toList();
        if (!errors.isEmpty()) throw ApiException.invalid(errors);
    }

    @GetMapping
    Page<JobViews.JobSummary> list(@RequestParam(required = false) JobState state,
                                   @RequestParam(required = false) String tenant,
                                   @RequestParam(defaultValue = "0") @Min(0) int page,
                                   @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        return jobs.list(Caller.current(), state, tenant, page, size);
    }

    @GetMapping("/{id}")
    JobViews.JobDetail get(@PathVariable UUID id) {
        return jobs.job(Caller.current(), id);
    }

    @PostMapping("/{id}/cancel")
    JobViews.JobSummary cancel(@PathVariable UUID id) {
        return jobs.cancel(Caller.current(), id);
    }

    /** The training curve (loss and accuracy per epoch) as an SVG picture. */
    @GetMapping(value = "/{id}/metrics.svg", produces = "image/svg+xml")
    String metricsChart(@PathVariable UUID id) {
        JobViews.JobDetail job = jobs.job(Caller.current(), id);
        return LossChart.svg(job.name() + " (" + job.state() + ")", job.metrics());
    }

    /** Log lines of every worker, oldest first, after the cursor {@code after} (the {@code next} of the last page). */
    @GetMapping("/{id}/logs")
    JobViews.LogLines logs(@PathVariable UUID id, @RequestParam(defaultValue = "0") @Min(0) long after,
                           @RequestParam(defaultValue = "1000") @Min(1) @Max(10000) int limit) {
        return jobs.logs(Caller.current(), id, after, limit);
    }
}
