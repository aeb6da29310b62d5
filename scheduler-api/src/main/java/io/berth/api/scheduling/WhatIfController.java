package io.berth.api.scheduling;

import io.berth.api.auth.Caller;
import io.berth.api.jobs.JobService;
import io.berth.core.spec.JobSpec;
import io.berth.core.placement.JobRequest;
import io.berth.api.web.DocumentReader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** "Would my job run now, where, and if not, when?" without submitting it. */
@RestController
@RequestMapping("/api/v1/jobs")
class WhatIfController {
    private static final String PROBLEM = "#/components/schemas/Problem";
    private static final List<String> SUPPORTED = List.of("application/json", "application/yaml");
    private final WhatIf whatIf;
    private final JobService jobs;
    private final DocumentReader documents;

    WhatIfController(WhatIf whatIf, JobService jobs, DocumentReader documents) {
        this.whatIf = whatIf;
        this.jobs = jobs;
        this.documents = documents;
    }

    @PostMapping(value = "/what-if", consumes = MediaType.ALL_VALUE)
    @Operation(summary = "What the scheduler would do with this job now; nothing is stored",
            description = "The same body as a submission, checked the same way. The answer is the next scheduling "
                    + "cycle's decision on the current queue and cluster with this job added (as the youngest of "
                    + "its priority): whether it runs now and on which servers and GPUs, which running jobs it would "
                    + "preempt, its position in the queue, and if it waits, why and when it would probably start "
                    + "(the running jobs and the jobs ahead simulated with their maxRunSeconds; null when one in the "
                    + "way has none).")
    @ApiResponse(responseCode = "200", description = "the answer", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "422", description = "the job could never fit the cluster or its tenant's quota",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = PROBLEM)))
    WhatIf.Answer whatIf(@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                                 description = "a job spec, as for POST /api/v1/jobs", content = {
                                 @Content(mediaType = "application/json", schema = @Schema(implementation = JobSpec.class)),
                                 @Content(mediaType = "application/yaml", schema = @Schema(implementation = JobSpec.class))})
                         @RequestBody(required = false) byte[] body,
                         @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType) {
        JobSpec spec = documents.read(body, DocumentReader.concreteType(contentType, SUPPORTED), JobSpec.class);
        JobRequest request = jobs.checkedRequest(Caller.current(), spec, "what-if-" + UUID.randomUUID());
        return whatIf.ask(request, spec.maxRunSeconds());
    }
}
