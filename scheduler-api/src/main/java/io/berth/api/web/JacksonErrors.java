package io.berth.api.web;

import io.berth.api.errors.FieldError;
import io.berth.api.errors.Invalid;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/** Turns Jackson parse failures into a field error a caller can act on, without leaking Java class names. */
final class JacksonErrors {
    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("'([^']*)'|\"([^\"]*)\"");
    private JacksonErrors() {
    }

    static FieldError toFieldError(JacksonException e, String format) {
        String path = path(e);
        if (e instanceof UnrecognizedPropertyException u) {
            String variant = variantName(u.getReferringClass());
            if (variant != null && variantNames(u.getReferringClass()).contains(u.getPropertyName()))
                return new FieldError(path, "not allowed for type " + variant); // another runtime's section
            return new FieldError(path, "unknown field '" + u.getPropertyName() + "'");
        }
        if (e instanceof InvalidTypeIdException t && t.getBaseType() != null) {
            // the type of a sealed type with named variants (the job spec's runtime): named like an enum field
            Class<?> base = t.getBaseType().getRawClass();
            JsonTypeInfo info = base.getAnnotation(JsonTypeInfo.class);
            String field = (path.equals("body") ? "" : path + ".") + (info == null ? "type" : info.property());
            if (t.getTypeId() == null) return new FieldError(field, "must not be null");
            return new FieldError(field, "invalid value '" + t.getTypeId() + "', expected one of "
                    + String.join(", ", variantNames(base)));
        }
        if (e instanceof InvalidFormatException f) {
            return new FieldError(path, "invalid value '" + f.getValue() + "', expected "
                    + describe(f.getTargetType()));
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return new FieldError(path, v.getCause().getMessage());
        }
        if (e instanceof MismatchedInputException && e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Trailing token") && e.getLocation() != null) {
            return new FieldError("body", "unexpected content after the document at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        if (e instanceof MismatchedInputException m) {
            return new FieldError(path, "invalid value, expected " + describe(m.getTargetType()));
        }
        if (e instanceof StreamReadException && e.getLocation() != null && e.getOriginalMessage() != null
                && e.getOriginalMessage().startsWith("Duplicate ")) {
            java.util.regex.Matcher m = DUPLICATE.matcher(e.getOriginalMessage());
            String key = m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
            return new FieldError(key == null ? "body" : Logs.escape(key), "duplicate key at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        if (e instanceof StreamReadException && e.getLocation() != null) {
            return new FieldError("body", "malformed " + format + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        return new FieldError(path, "malformed " + format);
    }

    /** The JSON names of the variants of a type annotated with {@link JsonSubTypes}, or of its sealed parent's. */
    private static java.util.List<String> variantNames(Class<?> type) {
        JsonSubTypes variants = subtypes(type);
        return variants == null ? java.util.List.of()
                : java.util.Arrays.stream(variants.value()).map(JsonSubTypes.Type::name).toList();
    }

    /** The JSON name of a variant of a sealed type annotated with {@link JsonSubTypes}; null when it is none. */
    private static String variantName(Class<?> type) {
        if (type == null) return null;
        for (Class<?> parent : type.getInterfaces()) {
            JsonSubTypes variants = parent.getAnnotation(JsonSubTypes.class);
            if (variants == null) continue;
            for (JsonSubTypes.Type t : variants.value()) if (t.value() == type) return t.name();
        }
        return null;
    }

    private static JsonSubTypes subtypes(Class<?> type) {
        if (type == null) return null;
        if (type.getAnnotation(JsonSubTypes.class) != null) return type.getAnnotation(JsonSubTypes.class);
        for (Class<?> parent : type.getInterfaces())
            if (parent.getAnnotation(JsonSubTypes.class) != null) return parent.getAnnotation(JsonSubTypes.class);
        return null;
    }

    private static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) return "a different type";
        if (type.isEnum()) {
            StringBuilder sb = new StringBuilder("one of ");
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(constants[i]);
            }
            return sb.toString();
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "an integer";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a string";
        if (java.util.Collection.class.isAssignableFrom(type)) return "a list";
        if (java.util.Map.class.isAssignableFrom(type)) return "a map";
        return "an object";
    }
}
