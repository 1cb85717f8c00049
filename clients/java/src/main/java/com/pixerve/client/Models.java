package com.pixerve.client;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The answers of the HTTP API (openapi/pixerve.v1.json), read from its snake_case JSON. */
public final class Models {
    private Models() {}

    public static final List<String> FINAL_STATUSES = List.of("completed", "failed", "cancelled");

    /** POST /upload with one file. status: pending, processing, completed, failed or cancelled. */
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
     * GET /status, DELETE /cancel and each event of /events; {@code json} holds every field as sent. {@code source} is
     * null and {@code outputs} empty until the job has converted its source; outputs come in {@code expectedFiles} order.
     */
    public record JobStatus(String hash, String jobId, String status, String error, List<String> expectedFiles, List<StoredFile> files,
                            SourceInfo source, List<JobOutput> outputs, Map<String, Object> json) {
        static JobStatus from(Map<String, Object> m) {
            return new JobStatus(str(m, "hash"), str(m, "job_id"), str(m, "status"), str(m, "error"), strings(m.get("expected_files")),
                list(m.get("files"), StoredFile::from), SourceInfo.from(m.get("source")), list(m.get("outputs"), JobOutput::from), m);
        }

        public boolean isFinal() { return FINAL_STATUSES.contains(status); }
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
     * GET /success and GET /failures: status success, failed or not_found; {@code jobData} is null without a record.
     * {@code json} has every field as sent (timestamp, file_count, error).
     */
    public record JobRecord(String hash, String jobId, String status, JobData jobData, Map<String, Object> json) {
        static JobRecord from(Map<String, Object> m) {
            return new JobRecord(str(m, "hash"), str(m, "job_id"), str(m, "status"), JobData.from(m.get("job_data")), m);
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

    static String str(Map<String, Object> m, String key) { return (String) m.get(key); }
    static long num(Map<String, Object> m, String key) { return m.get(key) instanceof Number n ? n.longValue() : 0; }

    @SuppressWarnings("unchecked")
    static List<String> strings(Object list) { return list == null ? List.of() : (List<String>) list; }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Object list, Function<Map<String, Object>, T> item) {
        return list == null ? List.of() : ((List<Object>) list).stream().map(e -> item.apply((Map<String, Object>) e)).toList();
    }
}
