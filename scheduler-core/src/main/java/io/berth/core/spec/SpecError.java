package io.berth.core.spec;

/** One broken rule of a spec: the field's path relative to the checked record (e.g. {@code taskGroups[1].name}). */
public record SpecError(String field, String message) {
}
