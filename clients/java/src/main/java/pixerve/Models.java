package pixerve;

import java.util.List;
import java.util.Map;

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

    /** GET /status, DELETE /cancel and each event of /events; {@code json} holds every field as sent. */
    public record JobStatus(String hash, String jobId, String status, String error, List<String> expectedFiles, List<StoredFile> files,
                            Map<String, Object> json) {
        @SuppressWarnings("unchecked")
        static JobStatus from(Map<String, Object> m) {
            var files = ((List<Object>) m.getOrDefault("files", List.of())).stream().map(f -> StoredFile.from((Map<String, Object>) f)).toList();
            return new JobStatus(str(m, "hash"), str(m, "job_id"), str(m, "status"), str(m, "error"), strings(m.get("expected_files")), files, m);
        }

        public boolean isFinal() { return FINAL_STATUSES.contains(status); }
    }

    /** GET /success and GET /failures: status success, failed or not_found; {@code json} has timestamp, file_count, job_data. */
    public record JobRecord(String hash, String jobId, String status, Map<String, Object> json) {
        static JobRecord from(Map<String, Object> m) {
            return new JobRecord(str(m, "hash"), str(m, "job_id"), str(m, "status"), m);
        }
    }

    static String str(Map<String, Object> m, String key) { return (String) m.get(key); }
    static long num(Map<String, Object> m, String key) { return m.get(key) instanceof Number n ? n.longValue() : 0; }

    @SuppressWarnings("unchecked")
    static List<String> strings(Object list) { return list == null ? List.of() : (List<String>) list; }
}
