package com.pixerve.client;

import java.time.Duration;

/** The caller's timeout passed before the call ended; the request was cancelled. */
public class PixerveTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final transient Duration timeout;

    public PixerveTimeoutException(String operation, Duration timeout) {
        super(operation + " did not finish within its timeout of " + timeout.toMillis() + " ms");
        this.operation = operation;
        this.timeout = timeout;
    }

    /** The call that ran out of time, such as {@code waitUntilFinal} or {@code GET /status}. */
    public String operation() { return operation; }
    /** The bound that passed. */
    public Duration timeout() { return timeout; }
}
