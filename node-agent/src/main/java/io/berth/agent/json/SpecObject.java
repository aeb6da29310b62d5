package io.berth.agent.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Strict, path-aware reader over one JSON/YAML object, used to validate user-written documents
 * with error messages that name the field ({@link InvalidSpecException#field()}).
 *
 * <p>Contract for every accessor: a missing field or an explicit {@code null} means "absent"; an
 * absent field takes the given default, or is an error when the default is {@code null}
 * ("required"). Unknown fields are rejected by {@link #allowOnly} so typos do not silently fall back
 * to defaults. Not thread-safe; use on one thread while parsing.
 */
public final class SpecObject {
    private final JsonNode node;
    private final String path;

    private SpecObject(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The root of a document; it must be an object. */
    public static SpecObject root(JsonNode node) {
        return of(node, "");
    }

    private static SpecObject of(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new InvalidSpecException(path, "must be an object");
        }
        return new SpecObject(node, path);
    }

    public String path() {
        return path;
    }

    public String pathOf(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Rejects any field not in {@code names}. */
    public SpecObject allowOnly(String... names) {
        Set<String> allowed = new TreeSet<>(Arrays.asList(names));
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new InvalidSpecException(pathOf(name), "unknown field (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return this;
    }

    public boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    private JsonNode value(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public Optional<SpecObject> object(String name) {
        JsonNode v = value(name);
        return v == null ? Optional.empty() : Optional.of(of(v, pathOf(name)));
    }

    public SpecObject requireObject(String name) {
        return object(name).orElseThrow(() -> new InvalidSpecException(pathOf(name), "is required"));
    }

    /** A non-blank string; {@code def == null} means required. */
    public String string(String name, String def) {
        JsonNode v = value(name);
        if (v == null) {
            return orRequired(name, def);
        }
        if (!v.isString() || v.stringValue().isBlank()) {
            throw new InvalidSpecException(pathOf(name), "must be a non-blank string");
        }
        return v.stringValue();
    }

    /** A string or absent ({@code null}). */
    public String optionalString(String name) {
        return has(name) ? string(name, null) : null;
    }

    /** One of {@code type}'s constants, matched case-insensitively; {@code def == null} means required. */
    public <E extends Enum<E>> E enumValue(String name, Class<E> type, E def) {
        JsonNode v = value(name);
        if (v == null) {
            return orRequired(name, def);
        }
        List<String> allowed = new ArrayList<>();
        for (E c : type.getEnumConstants()) {
            allowed.add(c.name().toLowerCase(Locale.ROOT));
            if (v.isString() && c.name().equalsIgnoreCase(v.stringValue())) {
                return c;
            }
        }
        throw new InvalidSpecException(pathOf(name), "must be one of " + allowed + " but was " + v);
    }

    /** An integer in [min, max]; {@code def == null} means required. */
    public long longValue(String name, Long def, long min, long max) {
        JsonNode v = value(name);
        if (v == null) {
            return orRequired(name, def);
        }
        return checkInteger(v, pathOf(name), min, max);
    }

    public int integer(String name, Integer def, int min, int max) {
        return (int) longValue(name, def == null ? null : def.longValue(), min, max);
    }

    private static long checkInteger(JsonNode v, String at, long min, long max) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidSpecException(at, "must be an integer but was " + v);
        }
        long n = v.longValue();
        if (n < min || n > max) {
            throw new InvalidSpecException(at, "must be between " + min + " and " + max + " but was " + n);
        }
        return n;
    }

    /** A finite number in [min, max]; {@code def == null} means required. */
    public double number(String name, Double def, double min, double max) {
        JsonNode v = value(name);
        if (v == null) {
            return orRequired(name, def);
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new InvalidSpecException(pathOf(name), "must be a number but was " + v);
        }
        double d = v.doubleValue();
        if (d < min || d > max) {
            throw new InvalidSpecException(pathOf(name), "must be between " + min + " and " + max + " but was " + d);
        }
        return d;
    }

    /** A list of integers each in [min, max]; absent means {@code def}. */
    public List<Integer> intList(String name, List<Integer> def, int min, int max, int maxSize) {
        JsonNode v = value(name);
        if (v == null) {
            return orRequired(name, def);
        }
        if (!v.isArray()) {
            throw new InvalidSpecException(pathOf(name), "must be a list of integers");
        }
        if (v.size() > maxSize) {
            throw new InvalidSpecException(pathOf(name), "must have at most " + maxSize + " entries");
        }
        List<Integer> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : v.values()) {
            out.add((int) checkInteger(e, pathOf(name) + "[" + i++ + "]", min, max));
        }
        return List.copyOf(out);
    }

    /** A list of objects; absent means empty. */
    public List<SpecObject> objects(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new InvalidSpecException(pathOf(name), "must be a list");
        }
        List<SpecObject> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : v.values()) {
            out.add(of(e, pathOf(name) + "[" + i++ + "]"));
        }
        return out;
    }

    /** A map of string to scalar (rendered as string); absent means empty. Keeps document order. */
    public Map<String, String> stringMap(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw new InvalidSpecException(pathOf(name), "must be a map of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new InvalidSpecException(pathOf(name) + "." + e.getKey(), "must be a string");
            }
            out.put(e.getKey(), e.getValue().asString());
        }
        return out;
    }

    private <T> T orRequired(String name, T def) {
        if (def == null) {
            throw new InvalidSpecException(pathOf(name), "is required");
        }
        return def;
    }
}
