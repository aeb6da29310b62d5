package io.berth.agent.protocol;

/**
 * A call to the control plane failed.
 *
 * @see #retryable() true for network errors, timeouts, 408, 429 and 5xx
 */
public final class ControlPlaneException extends RuntimeException {
    private final int status;
    private final boolean retryable;

    private ControlPlaneException(String message, int status, boolean retryable, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
    }

    static ControlPlaneException unreachable(String what, Exception cause) {
        return new ControlPlaneException(what + ": control plane unreachable: " + cause, 0, true, cause);
    }

    static ControlPlaneException status(String what, int status, String body) {
        boolean retryable = status >= 500 || status == 408 || status == 429;
        String shortBody = body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
        return new ControlPlaneException(what + ": HTTP " + status + " " + shortBody, status, retryable, null);
    }

    /** HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }
}
