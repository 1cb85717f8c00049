package com.pixerve.client;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tunes {@link PixerveClient#uploadResumable}: 4 MiB a PATCH and 5 retries unless set. Setters return this:
 * {@code new ResumableOptions().chunkSize(1 << 20).onProgress((sent, total) -> …).onUploadUrl(saved::set)}.
 */
public final class ResumableOptions {
    /** Bytes sent so far and the file's length, as the transport takes them; after a drop it goes back to the server's offset. */
    @FunctionalInterface
    public interface Progress { void update(long sent, long total); }

    long chunkSize = 4 << 20;
    Progress onProgress = (sent, total) -> { };
    String uploadUrl;
    Consumer<String> onUploadUrl = url -> { };
    int maxRetries = 5;
    List<Duration> retryDelays = List.of(Duration.ZERO, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    Duration timeout;

    /** 4 MiB a PATCH, 5 retries, the client's timeout. */
    public ResumableOptions() { }

    /** The most bytes one PATCH carries. */
    public ResumableOptions chunkSize(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("chunkSize must be positive");
        chunkSize = bytes;
        return this;
    }

    public ResumableOptions onProgress(Progress progress) { onProgress = progress; return this; }

    /**
     * Goes on with an upload an earlier call left unfinished (the URL {@link #onUploadUrl} was given), with the same
     * file and a token of the same sub and job claim; null creates a new upload.
     */
    public ResumableOptions uploadUrl(String url) { uploadUrl = url; return this; }

    /** Gets the upload's URL as soon as it exists, to keep for {@link #uploadUrl}. */
    public ResumableOptions onUploadUrl(Consumer<String> callback) { onUploadUrl = callback; return this; }

    /** Failures in a row without progress (a drop, 409, 423 or 5xx) after which the call gives up; 0: none. */
    public ResumableOptions maxRetries(int retries) {
        if (retries < 0) throw new IllegalArgumentException("maxRetries must be 0 or more");
        maxRetries = retries;
        return this;
    }

    /** The waits before each retry in a row, the last one repeated. */
    public ResumableOptions retryDelays(List<Duration> delays) {
        if (delays.isEmpty()) throw new IllegalArgumentException("retryDelays needs one delay at least");
        retryDelays = List.copyOf(delays);
        return this;
    }

    /** The bound of the whole upload, every request and wait in it (else the client's timeout). */
    public ResumableOptions timeout(Duration bound) { timeout = bound; return this; }
}
