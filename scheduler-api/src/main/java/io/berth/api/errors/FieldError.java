package io.berth.api.errors;

/** One invalid field: its path in the request (e.g. {@code servers[3].cpuMillis} or {@code row 12: gpu}). */
public record FieldError(String field, String message) {
}
