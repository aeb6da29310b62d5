package io.berth.api.web;

/**
 * Makes a caller-supplied value safe to put in a log line: CR, LF, tabs and other control characters become
 * {@code \n}-style or {@code \\uXXXX} escapes (so no one can forge a log line), and the value is cut at
 * {@value #MAX_CHARS} characters.
 */
public final class Logs {
    static final int MAX_CHARS = 512;

    private Logs() {
    }

    public static String escape(Object value) {
        if (value == null) return "null";
        String s = value.toString();
        StringBuilder sb = null;
        int n = Math.min(s.length(), MAX_CHARS);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String replacement = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? String.format("\\u%04x", (int) c) : null;
            if (replacement != null && sb == null) sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (sb != null) {
                if (replacement != null) sb.append(replacement);
                else sb.append(c);
            }
        }
        String out = sb == null ? s.substring(0, n) : sb.toString();
        return s.length() > MAX_CHARS ? out + "...(" + s.length() + " chars)" : out;
    }
}
