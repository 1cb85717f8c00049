package com.pixerve.client;

import java.util.Map;

/** A refusal: the problem details (RFC 9457) the gateway answered, with Pixerve's {@code field}. */
public final class PixerveException extends RuntimeException {
    private final int status;
    private final String title;
    private final String detail;
    private final String field;
    private final Map<String, Object> problem;

    public PixerveException(int status, Map<String, Object> problem) {
        super(status + " " + problem.getOrDefault("title", "") + ": " + problem.getOrDefault("detail", "")
            + (problem.get("field") != null ? " (field " + problem.get("field") + ")" : ""));
        this.status = problem.get("status") instanceof Number n ? n.intValue() : status;
        this.title = (String) problem.get("title");
        this.detail = (String) problem.get("detail");
        this.field = (String) problem.get("field");
        this.problem = problem;
    }

    public int status() { return status; }
    public String title() { return title; }
    public String detail() { return detail; }
    /** The input at fault (a job claim field such as {@code formats.jpg.sizes[0]}, {@code hash}, {@code job_id}), or null. */
    public String field() { return field; }
    public Map<String, Object> problem() { return problem; }
}
