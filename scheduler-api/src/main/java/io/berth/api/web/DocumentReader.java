package io.berth.api.web;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Reads a request document given as JSON or YAML into a record and validates it with Bean Validation. Unknown fields,
 * malformed syntax and invalid values all become one 400 naming the field path (e.g. {@code servers[3].cpuMillis}).
 */
@Component
public class DocumentReader {
    public static final MediaType YAML = MediaType.parseMediaType("application/yaml");
    private static final List<String> SUPPORTED = List.of("application/json", "application/yaml");

    private final ObjectMapper json;
    private final ObjectMapper yaml;
    private final Validator validator;

    public DocumentReader(JsonMapper json, Validator validator) {
        this.json = json.rebuild().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.yaml = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.validator = validator;
    }

    public static boolean isYaml(MediaType type) {
        return type != null && (type.getSubtype().equals("yaml") || type.getSubtype().equals("x-yaml")
                || type.getSubtype().endsWith("+yaml"));
    }

    public <T> T read(byte[] body, MediaType contentType, Class<T> type) {
        boolean isYaml = isYaml(contentType);
        if (!isYaml && contentType != null && !contentType.isCompatibleWith(MediaType.APPLICATION_JSON)) {
            throw ApiException.unsupportedMediaType(contentType.toString(), SUPPORTED);
        }
        if (body == null || body.length == 0) throw ApiException.invalid("body", "request body is empty");
        T value;
        try {
            value = (isYaml ? yaml : json).readValue(body, type);
        } catch (JacksonException e) {
            throw ApiException.invalid(List.of(JacksonErrors.toFieldError(e, isYaml ? "YAML" : "JSON")));
        }
        if (value == null) throw ApiException.invalid("body", "request body is empty");
        validate(value);
        return value;
    }

    /**
     * Converts a nested part of an already-read document (e.g. a map inside a job spec) to a record and validates
     * it; field paths in errors start with {@code prefix}.
     */
    public <T> T convert(Object part, Class<T> type, String prefix) {
        T value;
        try {
            value = json.convertValue(part, type);
        } catch (JacksonException e) {
            ApiException.FieldError f = JacksonErrors.toFieldError(e, "JSON");
            throw ApiException.invalid(prefix + (f.field().equals("body") ? "" : "." + f.field()), f.message());
        }
        validate(value, prefix + ".");
        return value;
    }

    public <T> void validate(T value) {
        validate(value, "");
    }

    private <T> void validate(T value, String prefix) {
        Set<ConstraintViolation<T>> violations = validator.validate(value);
        if (!violations.isEmpty()) {
            throw ApiException.invalid(violations.stream()
                    .map(v -> new ApiException.FieldError(prefix + v.getPropertyPath().toString().replace(".<list element>", "")
                            .replace("<list element>", ""), v.getMessage()))
                    .sorted(Comparator.comparing(ApiException.FieldError::field))
                    .toList());
        }
    }

    public byte[] writeYaml(Object value) {
        return yaml.writeValueAsBytes(value);
    }
}
