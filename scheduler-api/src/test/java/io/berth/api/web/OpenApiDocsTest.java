package io.berth.api.web;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description is what Swagger UI and generated clients see: it must let them authenticate, describe the
 * request bodies the API reads (not raw bytes), and give the status codes the API really answers.
 */
class OpenApiDocsTest extends ApiTestBase {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private JsonNode docs;

    @BeforeEach
    void fetch() {
        token = null; // open, like Swagger UI loading it before anyone signs in
        Response r = get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        docs = JSON.readTree(r.body());
    }

    @Test
    void hasARealTitleAndVersionAndABearerSchemeUsedByEveryOperation() {
        assertThat(docs.at("/info/title").asString()).isEqualTo("Berth API");
        // the Maven project version, from build-info
        assertThat(docs.at("/info/version").asString()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(docs.at("/components/securitySchemes/bearer/type").asString()).isEqualTo("http");
        assertThat(docs.at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
        assertThat(docs.at("/security/0").has("bearer")).isTrue();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            // path, media type, schema the body is described by
            "/api/v1/jobs, application/json, JobSpec",
            "/api/v1/jobs, application/yaml, JobSpec",
            "/api/v1/jobs/batch, application/json, JobBatch",
            "/api/v1/jobs/batch, application/yaml, JobBatch",
            "/api/v1/jobs/what-if, application/json, JobSpec",
            "/api/v1/jobs/what-if, application/yaml, JobSpec",
            "/api/v1/inventory/import, application/yaml, InventoryDocument"})
    void requestBodiesAreTypedNotBytes(String path, String mediaType, String schema) {
        JsonNode content = docs.path("paths").path(path).path("post").path("requestBody").path("content");
        assertThat(names(content)).doesNotContain("*/*");
        assertThat(content.path(mediaType).at("/schema/$ref").asString()).isEqualTo("#/components/schemas/" + schema);
        assertThat(content.toString()).doesNotContain("\"format\":\"byte\"");
    }

    @Test
    void theJobSpecSchemaDescribesTheFieldsASubmissionHas() {
        JsonNode spec = docs.at("/components/schemas/JobSpec/properties");
        assertThat(names(spec)).contains("name", "tenant", "priority", "taskGroups", "runtime", "maxRunSeconds", "retries");
        JsonNode batch = docs.at("/components/schemas/JobBatch/properties/jobs/items/$ref");
        assertThat(batch.asString()).isEqualTo("#/components/schemas/JobSpec");
    }

    @ParameterizedTest(name = "{1} {0}")
    @CsvSource({
            // path, method, success codes documented (and no 200 where the API answers 201 only)
            "/api/v1/jobs, post, 200 201",
            "/api/v1/jobs/batch, post, 200 201",
            "/api/v1/jobs/what-if, post, 200",
            "/api/v1/servers, post, 201",
            "/api/v1/servers/{name}, put, 200 201",
            "/api/v1/zones, post, 201",
            "/api/v1/racks, post, 201",
            "/api/v1/tokens, post, 201",
            "/api/v1/servers/{name}, delete, 204",
            "/api/v1/servers/{name}/accelerators/{index}/health, put, 200",
            "/api/v1/reports/usage, get, 200"})
    void successCodesAreTheOnesTheApiAnswers(String path, String method, String codes) {
        JsonNode responses = docs.path("paths").path(path).path(method).path("responses");
        List<String> success = names(responses).stream().filter(c -> c.startsWith("2")).sorted().toList();
        assertThat(success).containsExactly(codes.split(" "));
    }

    @ParameterizedTest(name = "{1} {0} {2}")
    @CsvSource({
            "/api/v1/jobs, post, 400",
            "/api/v1/jobs, post, 401",
            "/api/v1/jobs, post, 415",
            "/api/v1/jobs, post, 422",
            "/api/v1/jobs/batch, post, 429",
            "/api/v1/jobs/what-if, post, 400",
            "/api/v1/jobs/what-if, post, 422",
            "/api/v1/jobs/{id}, get, 404",
            "/api/v1/servers/{name}, put, 409",
            "/api/v1/servers, get, 403",
            "/api/v1/reports/usage, get, 400",
            "/api/v1/servers/{name}/accelerators/{index}/health, put, 404"})
    void errorsAreProblemDetails(String path, String method, String code) {
        JsonNode response = docs.path("paths").path(path).path(method).path("responses").path(code);
        assertThat(response.at("/content/application~1problem+json/schema/$ref").asString())
                .isEqualTo("#/components/schemas/Problem");
        assertThat(names(docs.at("/components/schemas/Problem/properties")))
                .contains("type", "title", "status", "detail", "errors");
    }

    @Test
    void theUsageReportIsDescribedAsJsonAndCsvWithItsParameters() {
        JsonNode get = docs.path("paths").path("/api/v1/reports/usage").path("get");
        assertThat(names(get.at("/responses/200/content"))).contains("application/json", "text/csv");
        assertThat(get.at("/responses/200/content/application~1json/schema/$ref").asString())
                .isEqualTo("#/components/schemas/UsageReport");
        List<String> parameters = new ArrayList<>();
        get.path("parameters").forEach(p -> parameters.add(p.path("name").asString()));
        assertThat(parameters).containsExactly("from", "to", "groupBy", "bucket");
        assertThat(get.at("/parameters/2/description").asString()).contains("tenant", "job", "model");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
