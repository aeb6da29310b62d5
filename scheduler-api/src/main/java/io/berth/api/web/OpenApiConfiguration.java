package io.berth.api.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OpenAPI description at /v3/api-docs (and so the Swagger UI): a real title and version, the bearer token scheme
 * every /api call needs (Swagger UI's "Authorize" button), and the problem-details answers ({@link ProblemHandler})
 * each operation can give. Success codes and request bodies that are not plain records are declared on the
 * controllers with {@code @ApiResponse} and {@code @RequestBody}.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    static final String BEARER = "bearer";
    static final String PROBLEM = "Problem";
    static final String PROBLEM_JSON = "application/problem+json";

    @Bean
    OpenAPI berthOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties props = build.getIfAvailable();
        String version = props != null && props.getVersion() != null ? props.getVersion() : "development";
        return new OpenAPI()
                .info(new Info().title("Berth API").version(version)
                        .description("Inventory, jobs, quotas and tokens of a Berth control plane. Every /api call "
                                + "needs a bearer token (the first admin token is in ~/.berth/admin-token); errors "
                                + "are RFC 9457 problem details."))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("a Berth token (POST /api/v1/tokens) or, when configured, a JWT"))
                        .addSchemas(PROBLEM, problemSchema()))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    /**
     * Adds the problem-details answers every operation can give, unless the operation declares that code itself:
     * 400, 401, 403 and 503 everywhere, 404 on paths with a variable, 413 and 415 where a body is sent, 409 on
     * changes. The agent protocol and public endpoints keep their own.
     */
    @Bean
    OpenApiCustomizer problemResponses() {
        return api -> {
            if (api.getPaths() == null) return;
            api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
                Map<String, String> codes = new LinkedHashMap<>();
                codes.put("400", "invalid input; errors lists each field");
                codes.put("401", "no valid bearer token");
                codes.put("403", "the token's role may not do this");
                if (path.contains("{")) codes.put("404", "no such object (or another tenant's job)");
                if (method != PathItem.HttpMethod.GET) codes.put("409", "conflicts with the stored state (a duplicate, "
                        + "a reference in use, resources jobs hold, or a concurrent change: retry)");
                if (op.getRequestBody() != null) {
                    codes.put("413", "request body too large");
                    codes.put("415", "missing or unsupported Content-Type");
                }
                codes.put("503", "the database is unreachable; nothing was changed, retry after Retry-After");
                // a body read by DocumentReader (consumes */*, bound as bytes) is described by its declared types only
                if (op.getRequestBody() != null && op.getRequestBody().getContent() != null
                        && op.getRequestBody().getContent().size() > 1) op.getRequestBody().getContent().remove("*/*");
                ApiResponses responses = op.getResponses() == null ? new ApiResponses() : op.getResponses();
                codes.forEach((code, description) -> {
                    if (!responses.containsKey(code)) responses.addApiResponse(code, problem(description));
                });
                op.setResponses(responses);
            }));
        };
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema<?> problemSchema() {
        Schema fieldError = new ObjectSchema().addProperty("field", new StringSchema().example("taskGroups[0].gpus"))
                .addProperty("message", new StringSchema());
        return new ObjectSchema().description("RFC 9457 problem details")
                .addProperty("type", new StringSchema().example("https://berth.dev/problems/invalid-request"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty("errors", new ArraySchema().items(fieldError)
                        .description("the fields at fault, at most 100"))
                .addProperty("errorCount", new IntegerSchema().description("all fields at fault, when more were found"));
    }
}
