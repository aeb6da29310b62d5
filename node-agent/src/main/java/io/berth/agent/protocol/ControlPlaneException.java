package io.berth.agent.protocol;

/**
 * A call to the control plane failed.
 *
 * @see #retryable() true for network errors, timeouts, 408, 429 and 5xx
 */
public final class ControlPlaneException extends RuntimeException {
    private final int status;
    private final boolean retryable;
    private final boolean refused;

    private ControlPlaneException(String message, int status, boolean retryable, boolean refused, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryable = retryable;
        this.refused = refused;
    }

    static ControlPlaneException unreachable(String what, Exception cause) {
        // a connect timeout (HttpConnectTimeoutException, whose cause is a ConnectException) is not "refused": the
        // host may be overloaded or the network partitioned, so it keeps the full backoff
        boolean refused = !(cause instanceof java.net.http.HttpTimeoutException);
        boolean found = false;
        for (Throwable t = cause; t != null && !found; t = t.getCause()) {
            found = t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException;
        }
        refused &= found;
        return new ControlPlaneException(what + ": control plane unreachable: " + cause, 0, true, refused, cause);
    }

    static ControlPlaneException status(String what, int status, String body) {
        boolean retryable = status >= 500 || status == 408 || status == 429;
        String shortBody = body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
        // 503: the control plane is up but its database is not (see its Retry-After); like a refused connection,
        // the agent should be back as soon as it recovers
        return new ControlPlaneException(what + ": HTTP " + status + " " + shortBody, status, retryable, status == 503,
                null);
    }

    /** HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /**
     * True when no connection could be made (connection refused or no route; not a connect timeout), typically while
     * the control plane restarts, or when it answered 503 because its database is unreachable: it is not serving, and
     * retrying costs it next to nothing.
     */
    public boolean refused() {
        return refused;
    }
}
