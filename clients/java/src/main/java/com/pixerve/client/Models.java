package com.pixerve.client;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The answers of the HTTP API (openapi/pixerve.v1.json), read from its snake_case JSON. */
public final class Models {
    private Models() {}

    public static final List<String> FINAL_STATUSES = List.of("completed", "failed", "cancelled");

    /** POST /upload with one file (and a finished resumable upload). status: pending, processing, completed, failed or cancelled. */
    public record UploadResponse(String hash, String jobId, List<String> expectedFiles, String status) {
        static UploadResponse from(Map<String, Object> m) {
            return new UploadResponse(str(m, "hash"), str(m, "job_id"), strings(m.get("expected_files")), str(m, "status"));
        }
    }

    /** One file of a batch upload: a job, or the {@code error} that refused it. */
    public record BatchEntry(String file, String hash, String jobId, List<String> expectedFiles, String status, PixerveException error) {
        @SuppressWarnings("unchecked")
        static BatchEntry from(Map<String, Object> m) {
            var error = m.get("error") instanceof Map<?, ?> e ? new PixerveException(0, (Map<String, Object>) e) : null;
            return new BatchEntry(str(m, "file"), str(m, "hash"), str(m, "job_id"),
                m.get("expected_files") == null ? null : strings(m.get("expected_files")), str(m, "status"), error);
        }
    }

    public record StoredFile(String name, String backend, String location, long bytes, int width, int height) {
        static StoredFile from(Map<String, Object> m) {
            return new StoredFile(str(m, "name"), str(m, "backend"), str(m, "location"), num(m, "bytes"), (int) num(m, "width"), (int) num(m, "height"));
        }
    }

    /**
     * GET /status, DELETE /cancel, POST /retry and each state event of /events; {@code json} holds every field as sent.
     * Instants are null until they happen ({@code startedAt} is the latest attempt's); {@code attempts} counts runs
     * over all retries, {@code retries} the POST /retry calls; {@code webhook} is null without a completionCallback.
     * {@code source} is null and {@code outputs} empty until the job has converted its source; {@code outputs} come in
     * {@code expectedFiles} order (the claim's), and {@code outputsDone} of {@code outputsTotal} are made so far.
     */
    public record JobStatus(String hash, String jobId, String status, int priority, Instant createdAt, Instant updatedAt, Instant startedAt,
                            Instant finishedAt, int attempts, int retries, List<String> expectedFiles, List<StoredFile> files, String error,
                            String errorCategory, String errorId, WebhookState webhook, String processedBy, SourceInfo source,
                            List<JobOutput> outputs, int outputsDone, int outputsTotal, Map<String, Object> json) {
        static JobStatus from(Map<String, Object> m) {
            return new JobStatus(str(m, "hash"), str(m, "job_id"), str(m, "status"), (int) num(m, "priority"), instant(m, "created_at"),
                instant(m, "updated_at"), instant(m, "started_at"), instant(m, "finished_at"), (int) num(m, "attempts"), (int) num(m, "retries"),
                strings(m.get("expected_files")), list(m.get("files"), StoredFile::from), str(m, "error"), str(m, "error_category"),
                str(m, "error_id"), WebhookState.from(m.get("webhook")), str(m, "processed_by"), SourceInfo.from(m.get("source")),
                list(m.get("outputs"), JobOutput::from), (int) num(m, "outputs_done"), (int) num(m, "outputs_total"), m);
        }

        public boolean isFinal() { return FINAL_STATUSES.contains(status); }
    }

    /**
     * The completion webhook's delivery: {@code status} pending, delivered or failed; {@code lastStatusCode} null
     * before an answer; {@code deliveredAt} null until delivered.
     */
    public record WebhookState(String status, int attempts, Integer lastStatusCode, String lastError, Instant deliveredAt) {
        @SuppressWarnings("unchecked")
        static WebhookState from(Object json) {
            if (!(json instanceof Map<?, ?> o)) return null;
            var m = (Map<String, Object>) o;
            return new WebhookState(str(m, "status"), (int) num(m, "attempts"),
                m.get("last_status_code") instanceof Number n ? n.intValue() : null, str(m, "last_error"), instant(m, "delivered_at"));
        }
    }

    /** What GET /events tells: a state change, the source described, or one more output made. */
    public sealed interface JobEvent permits StateChanged, SourceDescribed, OutputDone {
        String hash();
        String jobId();
    }

    /** The job's state ({@code event: pending|processing|completed|failed|cancelled}); the stream ends after a final one. */
    public record StateChanged(JobStatus state) implements JobEvent {
        public String hash() { return state.hash(); }
        public String jobId() { return state.jobId(); }
    }

    /** {@code event: source}, once, before any output. */
    public record SourceDescribed(String hash, String jobId, SourceInfo source) implements JobEvent {
        static SourceDescribed from(Map<String, Object> m) { return new SourceDescribed(str(m, "hash"), str(m, "job_id"), SourceInfo.from(m.get("source"))); }
    }

    /** {@code event: output_done}, once per output in {@code expected_files} order: {@code done} of {@code total}. */
    public record OutputDone(String hash, String jobId, String name, String format, int width, int height, long bytes, int done, int total)
        implements JobEvent {
        static OutputDone from(Map<String, Object> m) {
            return new OutputDone(str(m, "hash"), str(m, "job_id"), str(m, "name"), str(m, "format"), (int) num(m, "width"), (int) num(m, "height"),
                num(m, "bytes"), (int) num(m, "done"), (int) num(m, "total"));
        }
    }

    /**
     * The source image as the job converted it. {@code width}/{@code height} are after its EXIF orientation; {@code format}
     * is its sniffed format as an extension (jpg, png, gif, webp, avif, heic); {@code frames} is 1 for a still image. The
     * placeholders come from a ≤100×100 downscale: {@code thumbhash} is the ThumbHash bytes in standard base64 with
     * padding, {@code blurhash} has 4×3 components, {@code dominantColor} is #rrggbb (null for a wholly transparent image).
     */
    public record SourceInfo(String format, int width, int height, boolean hasAlpha, String dominantColor, String thumbhash, String blurhash,
                             int frames) {
        @SuppressWarnings("unchecked")
        static SourceInfo from(Object json) {
            if (!(json instanceof Map<?, ?> o)) return null;
            var m = (Map<String, Object>) o;
            return new SourceInfo(str(m, "format"), (int) num(m, "width"), (int) num(m, "height"), Boolean.TRUE.equals(m.get("has_alpha")),
                str(m, "dominant_color"), str(m, "thumbhash"), str(m, "blurhash"), (int) num(m, "frames"));
        }
    }

    /** One output: its format key (jpg, png, webp, avif, gif or original), real pixel size after orientation and fitting, bytes, and where it was stored. */
    public record JobOutput(String name, String format, int width, int height, long bytes, List<OutputLocation> locations) {
        static JobOutput from(Map<String, Object> m) {
            return new JobOutput(str(m, "name"), str(m, "format"), (int) num(m, "width"), (int) num(m, "height"), num(m, "bytes"),
                list(m.get("locations"), OutputLocation::from));
        }
    }

    /** Where one backend stored an output; {@code location} as in {@link StoredFile}. */
    public record OutputLocation(String backend, String location) {
        static OutputLocation from(Map<String, Object> m) { return new OutputLocation(str(m, "backend"), str(m, "location")); }
    }

    /**
     * GET /success and GET /failures: status success, failed or not_found. With a record, {@code timestamp} is when
     * the job finished and {@code fileCount} counts its stored files (outputs × backends); a failure's {@code error},
     * {@code errorCategory} and {@code errorId} say why. {@code timestamp} and {@code jobData} are null without a
     * record; {@code json} has every field as sent.
     */
    public record JobRecord(String hash, String jobId, String status, Instant timestamp, int fileCount, String error, String errorCategory,
                            String errorId, JobData jobData, Map<String, Object> json) {
        static JobRecord from(Map<String, Object> m) {
            return new JobRecord(str(m, "hash"), str(m, "job_id"), str(m, "status"), instant(m, "timestamp"), (int) num(m, "file_count"),
                str(m, "error"), str(m, "error_category"), str(m, "error_id"), JobData.from(m.get("job_data")), m);
        }
    }

    /**
     * What a finished job asked for and produced: {@code spec} is its token's job claim as sent (callbackHeaders values
     * as ***); {@code source} and {@code outputs} as in {@link JobStatus}.
     */
    public record JobData(Map<String, Object> spec, List<String> expectedFiles, List<StoredFile> files, int attempts, SourceInfo source,
                          List<JobOutput> outputs) {
        @SuppressWarnings("unchecked")
        static JobData from(Object json) {
            if (!(json instanceof Map<?, ?> o)) return null;
            var m = (Map<String, Object>) o;
            return new JobData((Map<String, Object>) m.get("spec"), strings(m.get("expected_files")), list(m.get("files"), StoredFile::from),
                (int) num(m, "attempts"), SourceInfo.from(m.get("source")), list(m.get("outputs"), JobOutput::from));
        }
    }

    static String str(Map<String, Object> m, String key) { return m.get(key) instanceof String s ? s : null; }

    /** An ISO 8601 date-time with an offset ({@code 2026-11-25T20:39:02.7471811+00:00}), or null. */
    static Instant instant(Map<String, Object> m, String key) {
        return m.get(key) instanceof String s ? OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant() : null;
    }
    static long num(Map<String, Object> m, String key) { return m.get(key) instanceof Number n ? n.longValue() : 0; }

    @SuppressWarnings("unchecked")
    static List<String> strings(Object list) { return list == null ? List.of() : (List<String>) list; }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Object list, Function<Map<String, Object>, T> item) {
        return list == null ? List.of() : ((List<Object>) list).stream().map(e -> item.apply((Map<String, Object>) e)).toList();
    }
}
