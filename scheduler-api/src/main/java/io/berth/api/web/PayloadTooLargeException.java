package io.berth.api.web;

import java.io.IOException;

/** Thrown while reading a request body that grows past the configured limit. */
public class PayloadTooLargeException extends IOException {
    private final long limitBytes;

    public PayloadTooLargeException(long limitBytes) {
        super("request body exceeds " + limitBytes + " bytes");
        this.limitBytes = limitBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }
}
