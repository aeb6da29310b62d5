package io.berth.agent.json;

/**
 * A user-written document (training spec, hardware file) is invalid.
 *
 * <p>{@link #field()} is the path of the offending field, e.g. {@code model.hiddenLayers[1]} or
 * {@code accelerators[0].memoryMib}; the empty string means the document itself.
 * The message is {@code "<field>: <problem>"} and is safe to show to the author of the document.
 */
public final class InvalidSpecException extends RuntimeException {
    private final String field;
    private final String problem;

    public InvalidSpecException(String field, String problem) {
        super((field.isEmpty() ? "(document)" : field) + ": " + problem);
        this.field = field;
        this.problem = problem;
    }

    public static InvalidSpecException unreadable(String what, Exception cause) {
        InvalidSpecException e = new InvalidSpecException("", what + " is not well-formed: " + firstLine(cause.getMessage()));
        e.initCause(cause);
        return e;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown syntax error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
