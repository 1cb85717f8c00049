package com.pixerve.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A refusal: the gateway answered 300 or more with problem details (RFC 9457). Carries {@code status}, {@code type},
 * {@code title}, {@code detail} and Pixerve's extension members ({@code field}, {@code errors}, {@code trace_id}, any
 * other through {@link #extension}); {@link #retryAfter} comes from the answer's {@code Retry-After} (429, 503).
 * A transport failure is a {@link PixerveNetworkException} instead, a caller's timeout a {@link PixerveTimeoutException}.
 */
public class PixerveException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final String field;
    private final Duration retryAfter;
    private final transient Map<String, Object> problem;

    public PixerveException(int status, Map<String, Object> problem) { this(status, problem, null); }

    public PixerveException(int status, Map<String, Object> problem, Duration retryAfter) {
        super(status + " " + problem.getOrDefault("title", "") + ": " + problem.getOrDefault("detail", "")
            + (problem.get("field") != null ? " (field " + problem.get("field") + ")" : ""));
        this.status = problem.get("status") instanceof Number n ? n.intValue() : status;
        this.type = problem.get("type") instanceof String s ? s : null;
        this.title = problem.get("title") instanceof String s ? s : null;
        this.detail = problem.get("detail") instanceof String s ? s : null;
        this.field = problem.get("field") instanceof String s ? s : null;
        this.retryAfter = retryAfter;
        this.problem = problem;
    }

    public int status() { return status; }
    /** A URI naming the kind of problem, or null. */
    public String type() { return type; }
    public String title() { return title; }
    /** A sentence saying what went wrong and what to do; null only when the server sent none. */
    public String detail() { return detail; }
    /** The input at fault (a job claim field such as {@code formats.jpg.sizes[0]}, {@code hash}, {@code job_id}), or null. */
    public String field() { return field; }
    /** How long the server asked to wait before trying again ({@code Retry-After}), or null. */
    public Duration retryAfter() { return retryAfter; }

    /** The {@code errors} member (a validation problem's messages by field), or an empty map. */
    @SuppressWarnings("unchecked")
    public Map<String, List<String>> errors() {
        return problem.get("errors") instanceof Map<?, ?> m ? (Map<String, List<String>>) m : Map.of();
    }

    /** Any member of the problem as sent (a Map, List, String, Long, Double, Boolean or null). */
    public Object extension(String name) { return problem.get(name); }

    /** The whole problem document as sent. */
    public Map<String, Object> problem() { return problem; }
}
