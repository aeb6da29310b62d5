package io.berth.api.inventory;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

/**
 * A server's labels (a JSON object of strings, JSONB in {@code servers.labels}) as the map the API shows; the
 * column's text is parsed in the order PostgreSQL keeps the keys, as the SQL reads parse it. Stateless and
 * thread-safe.
 */
@Converter
class LabelsConverter implements AttributeConverter<Map<String, String>, String> {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {
    };

    @Override
    public String convertToDatabaseColumn(Map<String, String> labels) {
        return JSON.writeValueAsString(labels == null ? Map.of() : labels);
    }

    @Override
    public Map<String, String> convertToEntityAttribute(String column) {
        return column == null ? Map.of() : JSON.readValue(column, LABELS);
    }
}
