package com.pixerve.client;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * No HTTP answer: the connection was refused or reset, the name did not resolve, TLS failed, or the answer broke off.
 * {@link #getCause()} is the transport's {@link IOException}. It is an {@link UncheckedIOException}, which this client
 * threw for these before it had its own types.
 */
public class PixerveNetworkException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;
    private final String operation;

    public PixerveNetworkException(String operation, IOException cause) {
        super(operation + ": no answer from the server: " + cause, cause);
        this.operation = operation;
    }

    /** The call that failed, such as {@code GET /status}. */
    public String operation() { return operation; }
}
