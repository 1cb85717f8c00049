package com.pixerve.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import com.pixerve.client.Models.BatchEntry;
import com.pixerve.client.Models.JobRecord;
import com.pixerve.client.Models.JobStatus;
import com.pixerve.client.Models.UploadResponse;

/** The Pixerve HTTP API (docs/http-api.md, openapi/pixerve.v1.json) over java.net.http; a refusal throws {@link PixerveException}. */
public final class PixerveClient {
    /** A file to upload. */
    public record Upload(String name, byte[] data) {
        public static Upload of(Path path) {
            try {
                return new Upload(path.getFileName().toString(), Files.readAllBytes(path));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Names a job by hash (with the token's claim) and/or job id; either may be null. */
    public record Job(String hash, String jobId) {
        public static Job byHash(String hash) { return new Job(hash, null); }
        public static Job byId(String jobId) { return new Job(null, jobId); }
    }

    private final URI base;
    private final HttpClient http;
    /** For the calls that carry a token: {@link #http}, or a copy of it that follows no redirect. */
    private final HttpClient withToken;

    public PixerveClient(URI base) { this(base, HttpClient.newHttpClient()); }

    /**
     * Calls go through {@code http}. The token only goes to {@code base}: a call that carries it follows no redirect
     * (a 3xx is a {@link PixerveException}) even when {@code http} follows them, because java.net.http sends every
     * header again to wherever a redirect points, Authorization included.
     */
    public PixerveClient(URI base, HttpClient http) {
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.http = http;
        this.withToken = http.followRedirects() == HttpClient.Redirect.NEVER ? http : withoutRedirects(http);
    }

    private static HttpClient withoutRedirects(HttpClient http) {
        var builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).version(http.version())
            .sslContext(http.sslContext()).sslParameters(http.sslParameters());
        http.connectTimeout().ifPresent(builder::connectTimeout);
        http.cookieHandler().ifPresent(builder::cookieHandler);
        http.proxy().ifPresent(builder::proxy);
        http.authenticator().ifPresent(builder::authenticator);
        http.executor().ifPresent(builder::executor);
        return builder.build();
    }

    /** One image; {@code formToken} sends the token as the seed's multipart field instead of the header. */
    public UploadResponse upload(Upload file, String token, boolean formToken) {
        return UploadResponse.from(object(upload(List.of(file), token, formToken)));
    }

    public UploadResponse upload(Upload file, String token) { return upload(file, token, false); }

    /** Several images under one token, one job each: an entry per file, in order. */
    @SuppressWarnings("unchecked")
    public List<BatchEntry> uploadBatch(List<Upload> files, String token) {
        var jobs = (List<Object>) object(upload(files, token, false)).get("jobs");
        return jobs.stream().map(e -> BatchEntry.from((Map<String, Object>) e)).toList();
    }

    private Object upload(List<Upload> files, String token, boolean formToken) {
        var boundary = "pixerve-" + UUID.randomUUID();
        // The seed's token field comes before the file parts.
        var preamble = (formToken ? "--" + boundary + "\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + token + "\r\n" : "").getBytes(StandardCharsets.UTF_8);
        var closing = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        var headerToken = formToken ? null : token;
        var body = new ArrayList<byte[]>(List.of(preamble));
        for (var file : files) {
            body.add(("--" + boundary + "\r\nContent-Disposition: " + fileDisposition(file.name())
                + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.add(file.data());
            body.add("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.add(closing);
        try {
            return json(uploadRequest(boundary, headerToken, body));
        } catch (UncheckedIOException e) {
            // A gateway that refuses the token before reading the body answers and closes while the body is still
            // going out; java.net.http may then fail ("header parser received no bytes") and drop the answer. Ask
            // again with no file: a refusal of the token (401, 403, 429…) is the answer the upload had; anything else
            // leaves the transport error standing.
            try {
                json(uploadRequest(boundary, headerToken, List.of(preamble, closing)));
            } catch (PixerveException refusal) {
                if (refusal.status() > 400 && refusal.status() < 500) {
                    refusal.initCause(e);
                    throw refusal;
                }
            } catch (RuntimeException ignored) {
                // no answer to that either
            }
            throw e;
        }
    }

    private HttpRequest.Builder uploadRequest(String boundary, String token, List<byte[]> body) {
        return request("/upload", token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.concat(body.stream().map(HttpRequest.BodyPublishers::ofByteArray).toArray(HttpRequest.BodyPublisher[]::new)));
    }

    /**
     * A file part's Content-Disposition. The name never goes into the header raw (CR and LF would end it and start
     * another): in {@code filename="…"} printable ASCII stays except {@code "}, {@code %} and {@code \}, every other
     * byte of its UTF-8 is percent-encoded (RFC 7578 §4.2); a name that needed that also goes exactly in
     * {@code filename*=UTF-8''…} (RFC 8187), which the gateway reads first.
     */
    static String fileDisposition(String name) {
        var raw = name.getBytes(StandardCharsets.UTF_8);
        var fallback = percentEncoded(raw, b -> b >= 0x20 && b < 0x7f && b != '"' && b != '%' && b != '\\');
        var disposition = "form-data; name=\"file\"; filename=\"" + fallback + "\"";
        if (fallback.equals(name)) return disposition;
        return disposition + "; filename*=UTF-8''" + percentEncoded(raw, b -> b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
            || b >= '0' && b <= '9' || b < 0x80 && "!#$&+-.^_`|~".indexOf(b) >= 0);
    }

    private static String percentEncoded(byte[] raw, java.util.function.IntPredicate keep) {
        var text = new StringBuilder();
        for (var b : raw) {
            var unsigned = b & 0xff;
            if (keep.test(unsigned)) text.append((char) unsigned);
            else text.append('%').append(String.format("%02X", unsigned));
        }
        return text.toString();
    }

    public JobStatus status(String token, Job job) { return JobStatus.from(object(json(request("/status" + query(job), token).GET()))); }

    /** Cancels a pending job; one that is not pending is a {@link PixerveException} with status 409. */
    public JobStatus cancel(String token, Job job) { return JobStatus.from(object(json(request("/cancel" + query(job), token).DELETE()))); }

    public JobRecord success(String token, Job job) { return JobRecord.from(object(json(request("/success" + query(job), token).GET()))); }

    public JobRecord failures(String token, Job job) { return JobRecord.from(object(json(request("/failures" + query(job), token).GET()))); }

    /**
     * Reads /events (server-sent events), handing each state to {@code each} until a final state or it answers false;
     * the stream's progress events (source, output_done) are skipped.
     */
    public void events(String token, Job job, Predicate<JobStatus> each) {
        var response = send(request("/events" + query(job), token).header("Accept", "text/event-stream").GET(), HttpResponse.BodyHandlers.ofInputStream());
        try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            var data = new StringBuilder();
            String type = null;
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) data.append('\n');
                    data.append(line.substring(5).replaceFirst("^ ", ""));
                } else if (line.isEmpty() && data.length() > 0) {
                    var isState = type == null || type.equals("pending") || type.equals("processing") || Models.FINAL_STATUSES.contains(type);
                    type = null;
                    if (!isState) {
                        data.setLength(0);
                        continue;
                    }
                    var state = JobStatus.from(object(Json.parse(data.toString())));
                    data.setLength(0);
                    if (!each.test(state) || state.isFinal()) return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The job's status once final: server-sent events, then polling with backoff if the stream breaks. */
    public JobStatus waitUntilFinal(String token, Job job, Duration timeout) throws InterruptedException {
        var deadline = Instant.now().plus(timeout);
        var last = new JobStatus[1];
        try {
            events(token, job, s -> { last[0] = s; return true; });
            if (last[0] != null && last[0].isFinal()) return last[0];
        } catch (UncheckedIOException e) {
            // the stream broke: poll instead
        }
        for (long delay = 200; ; delay = Math.min(delay * 2, 5000)) {
            var state = status(token, job);
            if (state.isFinal()) return state;
            if (Instant.now().plusMillis(delay).isAfter(deadline)) throw new IllegalStateException("job still " + state.status() + " after " + timeout);
            Thread.sleep(delay);
        }
    }

    /** A directHost output, served at /files/{subDir}/{name}. */
    public byte[] download(String subDir, String name) {
        var parts = new ArrayList<String>();
        for (var p : (subDir + "/" + name).split("/")) if (!p.isEmpty()) parts.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
        return send(request("/files/" + String.join("/", parts), null).GET(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    private static String query(Job job) {
        var params = new ArrayList<String>();
        if (job.hash() != null) params.add("hash=" + URLEncoder.encode(job.hash(), StandardCharsets.UTF_8));
        if (job.jobId() != null) params.add("job_id=" + URLEncoder.encode(job.jobId(), StandardCharsets.UTF_8));
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }

    private HttpRequest.Builder request(String path, String token) {
        var builder = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) builder.header("Authorization", "Bearer " + token);
        return builder;
    }

    private Object json(HttpRequest.Builder request) {
        return Json.parse(new String(send(request.header("Accept", "application/json"), HttpResponse.BodyHandlers.ofByteArray()).body(), StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object json) { return (Map<String, Object>) json; }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        HttpResponse<byte[]> failed;
        try {
            var built = request.build();
            var client = built.headers().firstValue("Authorization").isPresent() ? withToken : http;
            var response = client.send(built, info -> info.statusCode() < 300
                ? (HttpResponse.BodySubscriber<Object>) (HttpResponse.BodySubscriber<?>) handler.apply(info)
                : (HttpResponse.BodySubscriber<Object>) (HttpResponse.BodySubscriber<?>) HttpResponse.BodySubscribers.ofByteArray());
            if (response.statusCode() < 300) {
                @SuppressWarnings("unchecked") var ok = (HttpResponse<T>) (HttpResponse<?>) response;
                return ok;
            }
            @SuppressWarnings("unchecked") var bad = (HttpResponse<byte[]>) (HttpResponse<?>) response;
            failed = bad;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        var text = new String(failed.body(), StandardCharsets.UTF_8);
        Map<String, Object> problem;
        try {
            problem = text.isBlank() ? Map.of() : object(Json.parse(text));
        } catch (RuntimeException e) {
            problem = Map.of("detail", text);
        }
        throw new PixerveException(failed.statusCode(), problem);
    }
}
