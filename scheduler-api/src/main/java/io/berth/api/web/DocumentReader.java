package io.berth.api.web;

import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one reader of request documents, JSON or YAML (every {@code @RequestBody} record goes through it too, see
 * {@link StrictBodyConverter}). Reading is strict (see {@link StrictMappers}); a NUL character in any string or key is
 * refused (PostgreSQL cannot store it). Malformed syntax, unknown fields and invalid values all become one 400 naming
 * the field path (e.g. {@code servers[3].cpuMillis}). The Content-Type must be given and concrete: a missing or
 * wildcard type ({@code *}{@code /*}, {@code application/*}) is 415, the body is never sniffed.
 */
@Component
public class DocumentReader {
    public static final MediaType YAML = MediaType.parseMediaType("application/yaml");
    static final List<String> SUPPORTED = List.of("application/json", "application/yaml");

    private final ObjectMapper json;
    private final ObjectMapper yaml;
    private final Validator validator;

    public DocumentReader(JsonMapper json, Validator validator) {
        this.json = StrictMappers.json(json);
        this.yaml = StrictMappers.yaml();
        this.validator = validator;
    }

    public static boolean isYaml(MediaType type) {
        return type != null && (type.getSubtype().equals("yaml") || type.getSubtype().equals("x-yaml")
                || type.getSubtype().endsWith("+yaml"));
    }

    /**
     * Parses the Content-Type header of a document endpoint: 415 when it is missing, malformed or a wildcard.
     * {@code supported} names the accepted types in the answer.
     */
    public static MediaType concreteType(String contentType, List<String> supported) {
        if (contentType == null || contentType.isBlank())
            throw ApiException.unsupportedMediaType("(none)", supported);
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (RuntimeException e) {
            throw ApiException.unsupportedMediaType(contentType, supported);
        }
        if (type.isWildcardType() || type.isWildcardSubtype()) throw ApiException.unsupportedMediaType(contentType, supported);
        return type;
    }

    /** Reads and validates a document; {@code contentType} null means it was not given (415). */
    public <T> T read(byte[] body, MediaType contentType, Class<T> type) {
        T value = convert(readTree(body, contentType), type);
        validate(value);
        return value;
    }

    /** Parses a JSON or YAML document to a tree, refusing malformed syntax, duplicate keys and NUL characters. */
    public JsonNode readTree(byte[] body, MediaType contentType) {
        if (contentType == null) throw ApiException.unsupportedMediaType("(none)", SUPPORTED);
        if (contentType.isWildcardType() || contentType.isWildcardSubtype())
            throw ApiException.unsupportedMediaType(contentType.toString(), SUPPORTED);
        boolean isYaml = isYaml(contentType);
        if (!isYaml && !contentType.isCompatibleWith(MediaType.APPLICATION_JSON)
                && !contentType.getSubtype().endsWith("+json")) {
            throw ApiException.unsupportedMediaType(contentType.toString(), SUPPORTED);
        }
        if (body == null || body.length == 0) throw Invalid.field("body", "request body is empty");
        JsonNode tree;
        try {
            tree = (isYaml ? yaml : json).readTree(body);
        } catch (JacksonException e) {
            throw Invalid.fields(List.of(JacksonErrors.toFieldError(e, isYaml ? "YAML" : "JSON")));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) throw Invalid.field("body", "request body is empty");
        List<FieldError> nul = new ArrayList<>();
        findNul(tree, "", nul);
        if (!nul.isEmpty()) throw Invalid.fields(nul);
        return tree;
    }

    /** Binds a parsed tree to a record (no Bean Validation); field paths in errors are relative to the tree. */
    public <T> T convert(JsonNode tree, Class<T> type) {
        T value;
        try {
            value = json.treeToValue(tree, type);
        } catch (JacksonException e) {
            throw Invalid.fields(List.of(JacksonErrors.toFieldError(e, "document")));
        }
        if (value == null) throw Invalid.field("body", "request body is empty");
        return value;
    }

    private static void findNul(JsonNode node, String path, List<FieldError> errors) {
        if (node.isString()) {
            if (node.asString().indexOf('\0') >= 0)
                errors.add(new FieldError(path.isEmpty() ? "body" : path, "must not contain NUL (U+0000) characters"));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) findNul(node.get(i), path + "[" + i + "]", errors);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getKey().indexOf('\0') >= 0) {
                    errors.add(new FieldError(Logs.escape(child), "must not contain NUL (U+0000) characters"));
                } else {
                    findNul(e.getValue(), child, errors);
                }
            }
        }
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
            FieldError f = JacksonErrors.toFieldError(e, "JSON");
            throw Invalid.field(prefix + (f.field().equals("body") ? "" : "." + f.field()), f.message());
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
            throw Invalid.fields(violations.stream()
                    .map(v -> new FieldError(prefix + v.getPropertyPath().toString().replace(".<list element>", "")
                            .replace("<list element>", ""), v.getMessage()))
                    .sorted(Comparator.comparing(FieldError::field))
                    .toList());
        }
    }

    public byte[] writeYaml(Object value) {
        return yaml.writeValueAsBytes(value);
    }
}
