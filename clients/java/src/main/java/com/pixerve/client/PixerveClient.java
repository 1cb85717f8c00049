package com.pixerve.client;

import com.pixerve.client.Models.BatchEntry;
import com.pixerve.client.Models.JobEvent;
import com.pixerve.client.Models.JobRecord;
import com.pixerve.client.Models.JobStatus;
import com.pixerve.client.Models.OutputDone;
import com.pixerve.client.Models.SourceDescribed;
import com.pixerve.client.Models.StateChanged;
import com.pixerve.client.Models.UploadResponse;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The Pixerve HTTP API (docs/http-api.md, openapi/pixerve.v1.json) over java.net.http. Every call ends within a
 * timeout, the client's ({@link #withTimeout}, 5 minutes unless set) or the one it is given, and then throws
 * {@link PixerveTimeoutException} with its request cancelled. A refusal throws {@link PixerveException}, a transport
 * failure {@link PixerveNetworkException}; interrupting the calling thread cancels the request and throws
 * {@link CancellationException} with the thread's interrupt flag set again.
 */
public final class PixerveClient {
    /** The bound of each call that is given none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /**
     * A file to upload. Its bytes are read while the request goes out, a piece at a time: a file from disk, or an
     * InputStream, is never held whole in memory.
     */
    public static final class Upload {
        private final String name;
        private final Supplier<HttpRequest.BodyPublisher> body;

        /** {@code data} as the file {@code name}. */
        public Upload(String name, byte[] data) {
            this(name, () -> HttpRequest.BodyPublishers.ofByteArray(data));
            Objects.requireNonNull(data, "data");
        }

        private Upload(String name, Supplier<HttpRequest.BodyPublisher> body) {
            this.name = Objects.requireNonNull(name, "name");
            this.body = body;
        }

        /** The file at {@code path}, under its own name, read from disk as it is sent. */
        public static Upload of(Path path) { return of(path.getFileName().toString(), path); }

        /** The file at {@code path}, under {@code name}, read from disk as it is sent. */
        public static Upload of(String name, Path path) {
            return new Upload(name, () -> {
                try {
                    return HttpRequest.BodyPublishers.ofFile(path);
                } catch (FileNotFoundException e) {
                    throw new UncheckedIOException(path + ": no such file", e);
                }
            });
        }

        public static Upload of(String name, byte[] data) { return new Upload(name, data); }

        /**
         * What {@code source} gives, read as it is sent (the request goes chunked, its length unknown). Each send
         * asks {@code source} for a new stream, which the client closes at its end.
         */
        public static Upload of(String name, Supplier<? extends InputStream> source) {
            return new Upload(name, () -> HttpRequest.BodyPublishers.ofInputStream(source::get));
        }

        /** What {@code stream} gives, read once as it is sent and closed at its end. */
        public static Upload of(String name, InputStream stream) { return of(name, () -> stream); }

        public String name() { return name; }

        HttpRequest.BodyPublisher publisher() { return body.get(); }
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
    private final Duration timeout;

    public PixerveClient(URI base) { this(base, HttpClient.newHttpClient()); }

    /**
     * Calls go through {@code http}. The token only goes to {@code base}: a call that carries it follows no redirect
     * (a 3xx is a {@link PixerveException}) even when {@code http} follows them, because java.net.http sends every
     * header again to wherever a redirect points, Authorization included.
     */
    public PixerveClient(URI base, HttpClient http) {
        this(URI.create(base.toString().replaceAll("/+$", "")), http,
            http.followRedirects() == HttpClient.Redirect.NEVER ? http : withoutRedirects(http), DEFAULT_TIMEOUT);
    }

    private PixerveClient(URI base, HttpClient http, HttpClient withToken, Duration timeout) {
        this.base = base;
        this.http = http;
        this.withToken = withToken;
        this.timeout = positive(timeout);
    }

    /** This client with {@code timeout} as the bound of each call that is given none (the same connections). */
    public PixerveClient withTimeout(Duration timeout) { return new PixerveClient(base, http, withToken, timeout); }

    public Duration timeout() { return timeout; }

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
        return UploadResponse.from(object(upload(List.of(file), token, formToken, deadline("POST /upload", timeout))));
    }

    public UploadResponse upload(Upload file, String token) { return upload(file, token, timeout); }

    public UploadResponse upload(Upload file, String token, Duration timeout) {
        return UploadResponse.from(object(upload(List.of(file), token, false, deadline("POST /upload", timeout))));
    }

    /** Several images under one token, one job each: an entry per file, in order. */
    public List<BatchEntry> uploadBatch(List<Upload> files, String token) { return uploadBatch(files, token, timeout); }

    @SuppressWarnings("unchecked")
    public List<BatchEntry> uploadBatch(List<Upload> files, String token, Duration timeout) {
        var jobs = (List<Object>) object(upload(files, token, false, deadline("POST /upload", timeout))).get("jobs");
        return jobs.stream().map(e -> BatchEntry.from((Map<String, Object>) e)).toList();
    }

    private Object upload(List<Upload> files, String token, boolean formToken, Deadline deadline) {
        var boundary = "pixerve-" + UUID.randomUUID();
        // The seed's token field comes before the file parts.
        var preamble = (formToken ? "--" + boundary + "\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + token + "\r\n" : "").getBytes(StandardCharsets.UTF_8);
        var closing = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        var headerToken = formToken ? null : token;
        // Each file's publisher reads it as the request goes out (ofFile, ofInputStream): nothing is read ahead.
        var body = new ArrayList<HttpRequest.BodyPublisher>(List.of(HttpRequest.BodyPublishers.ofByteArray(preamble)));
        for (var file : files) {
            body.add(HttpRequest.BodyPublishers.ofByteArray(("--" + boundary + "\r\nContent-Disposition: " + fileDisposition(file.name())
                + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8)));
            body.add(file.publisher());
            body.add(HttpRequest.BodyPublishers.ofByteArray("\r\n".getBytes(StandardCharsets.UTF_8)));
        }
        body.add(HttpRequest.BodyPublishers.ofByteArray(closing));
        try {
            return json(uploadRequest(boundary, headerToken, body), deadline);
        } catch (PixerveNetworkException e) {
            // A gateway that refuses the token before reading the body answers and closes while the body is still
            // going out; java.net.http may then fail ("header parser received no bytes") and drop the answer. Ask
            // again with no file: a refusal of the token (401, 403, 429…) is the answer the upload had; anything else
            // leaves the transport error standing.
            try {
                json(uploadRequest(boundary, headerToken, List.of(HttpRequest.BodyPublishers.ofByteArray(preamble),
                    HttpRequest.BodyPublishers.ofByteArray(closing))), deadline);
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

    private HttpRequest.Builder uploadRequest(String boundary, String token, List<HttpRequest.BodyPublisher> body) {
        return request("/upload", token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.concat(body.toArray(HttpRequest.BodyPublisher[]::new)));
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

    /**
     * Sends the file at {@code path} over tus 1.0 (POST /uploads, then PATCHes of at most {@code chunkSize} bytes, each
     * read from the file as it goes out) and answers as {@link #upload} does, from the Pixerve-* headers of the answer
     * that brought the last byte. When the connection drops (or the gateway answers 409, 423 or 5xx) it asks the
     * gateway for its offset (HEAD) and goes on from there. {@code options} may be null.
     */
    public UploadResponse uploadResumable(Path path, String token, ResumableOptions options) throws InterruptedException {
        var o = options == null ? new ResumableOptions() : options;
        var deadline = deadline("uploadResumable", o.timeout == null ? timeout : o.timeout);
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var uploadUrl = o.uploadUrl;
        long offset;
        HttpHeaders last;
        if (uploadUrl == null) {
            var name = path.getFileName().toString();
            var metadata = "filename " + Base64.getEncoder().encodeToString(name.getBytes(StandardCharsets.UTF_8));
            var created = tus("POST", URI.create(base + "/uploads"), token, Map.of("Upload-Length", Long.toString(size), "Upload-Metadata", metadata),
                HttpRequest.BodyPublishers.noBody(), deadline);
            var location = created.firstValue("Location").orElseThrow(() -> new IllegalStateException("the gateway created an upload without a Location"));
            uploadUrl = URI.create(base + "/uploads").resolve(location).toString();
            offset = uploadOffset(created, 0, size);
            last = created;
            o.onUploadUrl.accept(uploadUrl);
        } else {
            var head = tus("HEAD", URI.create(uploadUrl), token, Map.of(), HttpRequest.BodyPublishers.noBody(), deadline);
            if (!head.firstValue("Upload-Length").orElse("").equals(Long.toString(size))) {
                throw new IllegalArgumentException(uploadUrl + " is an upload of " + head.firstValue("Upload-Length").orElse("?") + " bytes, not of " + size);
            }
            offset = uploadOffset(head, 0, size);
            last = head;
        }
        o.onProgress.update(offset, size);
        // best is the most the gateway has said it holds; failures counts those in a row since it grew.
        for (long failures = 0, best = offset; offset < size; ) {
            var n = Math.min(o.chunkSize, size - offset);
            var from = offset;
            var body = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                () -> new FileSection(path, from, n, sent -> o.onProgress.update(sent, size))), n);
            RuntimeException error;
            try {
                var patched = tus("PATCH", URI.create(uploadUrl), token,
                    Map.of("Upload-Offset", Long.toString(offset), "Content-Type", "application/offset+octet-stream"), body, deadline);
                offset = uploadOffset(patched, offset + 1, size);
                last = patched;
                if (offset > best) {
                    failures = 0;
                    best = offset;
                }
                continue;
            } catch (PixerveException refused) {
                if (refused.status() != 409 && refused.status() != 423 && refused.status() < 500) throw refused;
                error = refused;
            } catch (PixerveNetworkException dropped) {
                error = dropped;
            }
            if (++failures > o.maxRetries) throw error;
            var delay = o.retryDelays.get((int) Math.min(failures, o.retryDelays.size()) - 1);
            var left = deadline.remaining();
            if (delay.compareTo(left) >= 0) throw deadline.expired();
            Thread.sleep(delay.toMillis());
            HttpHeaders head;
            try {
                head = tus("HEAD", URI.create(uploadUrl), token, Map.of(), HttpRequest.BodyPublishers.noBody(), deadline);
            } catch (PixerveNetworkException stillDown) {
                continue; // still unreachable: the next failure
            } // a PixerveException: the upload is gone (expired, refused), nothing to go on with
            var now = uploadOffset(head, 0, size);
            if (error instanceof PixerveException refused && refused.status() == 409 && now == offset) throw refused; // the last bytes refused
            if (now > best) {
                failures = 0;
                best = now;
            }
            offset = now;
            last = head;
            o.onProgress.update(offset, size);
        }
        var hash = last.firstValue("Pixerve-Hash");
        if (hash.isPresent()) {
            var names = new ArrayList<String>();
            for (var name : last.firstValue("Pixerve-Expected-Files").orElse("").split(",")) if (!name.isBlank()) names.add(name.trim());
            return new UploadResponse(hash.get(), last.firstValue("Pixerve-Job-Id").orElse(null), List.copyOf(names), last.firstValue("Pixerve-Status").orElse(null));
        }
        // Complete, but the answer that said so carried no job (an upload found complete before any byte was sent).
        var request = HttpRequest.newBuilder(URI.create(uploadUrl)).header("Tus-Resumable", "1.0.0").header("Authorization", "Bearer " + token).GET();
        return UploadResponse.from(object(json(request, deadline)));
    }

    private HttpHeaders tus(String method, URI target, String token, Map<String, String> headers, HttpRequest.BodyPublisher body, Deadline deadline) {
        var request = HttpRequest.newBuilder(target).header("Tus-Resumable", "1.0.0").header("Authorization", "Bearer " + token).method(method, body);
        headers.forEach(request::header);
        return exchange(method + " /uploads", request, HttpResponse.BodyHandlers.discarding(), deadline).headers();
    }

    /** Upload-Offset, which must lie in [least, size]. */
    private static long uploadOffset(HttpHeaders headers, long least, long size) {
        var value = headers.firstValue("Upload-Offset").orElse("");
        try {
            var offset = Long.parseLong(value);
            if (offset >= least && offset <= size) return offset;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalStateException("Upload-Offset '" + value + "' where " + least + " to " + size + " was due");
    }

    /** {@code length} bytes of a file from {@code offset}, telling {@code sent} the position after each read. */
    private static final class FileSection extends InputStream {
        private final RandomAccessFile file;
        private long left;
        private long position;
        private final java.util.function.LongConsumer sent;

        FileSection(Path path, long offset, long length, java.util.function.LongConsumer sent) {
            try {
                file = new RandomAccessFile(path.toFile(), "r");
                file.seek(offset);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.left = length;
            this.position = offset;
            this.sent = sent;
        }

        @Override
        public int read() throws IOException {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            var n = file.read(b, off, (int) Math.min(len, left));
            if (n < 0) throw new IOException("the file ended " + left + " bytes early: it changed while being sent");
            left -= n;
            position += n;
            sent.accept(position);
            return n;
        }

        @Override
        public void close() throws IOException { file.close(); }
    }

    public JobStatus status(String token, Job job) { return status(token, job, timeout); }

    public JobStatus status(String token, Job job, Duration timeout) { return status(token, job, deadline("GET /status", timeout)); }

    private JobStatus status(String token, Job job, Deadline deadline) {
        return JobStatus.from(object(json(request("/status" + query(job), token).GET(), deadline)));
    }

    /** Cancels a pending job; one that is not pending is a {@link PixerveException} with status 409. */
    public JobStatus cancel(String token, Job job) { return cancel(token, job, timeout); }

    public JobStatus cancel(String token, Job job, Duration timeout) {
        return JobStatus.from(object(json(request("/cancel" + query(job), token).DELETE(), deadline("DELETE /cancel", timeout))));
    }

    /** Runs a failed job again from its original; one that is not failed is a {@link PixerveException} with status 409. */
    public JobStatus retry(String token, Job job) { return retry(token, job, timeout); }

    public JobStatus retry(String token, Job job, Duration timeout) {
        return JobStatus.from(object(json(request("/retry" + query(job), token).POST(HttpRequest.BodyPublishers.noBody()),
            deadline("POST /retry", timeout))));
    }

    public JobRecord success(String token, Job job) { return success(token, job, timeout); }

    public JobRecord success(String token, Job job, Duration timeout) {
        return JobRecord.from(object(json(request("/success" + query(job), token).GET(), deadline("GET /success", timeout))));
    }

    public JobRecord failures(String token, Job job) { return failures(token, job, timeout); }

    public JobRecord failures(String token, Job job, Duration timeout) {
        return JobRecord.from(object(json(request("/failures" + query(job), token).GET(), deadline("GET /failures", timeout))));
    }

    /**
     * GET /events as typed events: {@link StateChanged} for each state (the first is the state now), {@link
     * SourceDescribed} and {@link OutputDone} while it converts; the stream ends after a final state. It has no
     * bound: close it to stop (try-with-resources), or give one with {@link #events(String, Job, Duration)}. A refusal
     * (401, 404, 429…) is thrown here, before the stream is returned.
     */
    public EventStream events(String token, Job job) { return events(token, job, new Deadline("GET /events", null, 0)); }

    /** As {@link #events(String, Job)}, but reading past {@code timeout} from now throws {@link PixerveTimeoutException}. */
    public EventStream events(String token, Job job, Duration timeout) { return events(token, job, deadline("GET /events", timeout)); }

    /**
     * Reads /events, handing each state to {@code each} until a final state or it answers false; the stream's
     * progress events (source, output_done) are skipped.
     */
    public void events(String token, Job job, Predicate<JobStatus> each) {
        try (var stream = events(token, job)) {
            for (var event : stream) {
                if (event instanceof StateChanged s && (!each.test(s.state()) || s.state().isFinal())) return;
            }
        }
    }

    private EventStream events(String token, Job job, Deadline deadline) {
        var stream = new EventStream(deadline);
        var request = request("/events" + query(job), token).header("Accept", "text/event-stream").GET();
        var left = deadline.remaining();
        if (left != null) request.timeout(left);
        var built = request.build();
        var future = client(built).sendAsync(built, info -> info.statusCode() < 300
            ? cast(HttpResponse.BodySubscribers.fromLineSubscriber(stream.lines(), s -> null, StandardCharsets.UTF_8, null))
            : cast(HttpResponse.BodySubscribers.ofByteArray()));
        stream.future = future;
        future.whenComplete((response, thrown) -> {
            var failure = thrown instanceof java.util.concurrent.CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
            if (failure != null) stream.fail(failure instanceof HttpTimeoutException ? deadline.expired()
                : new PixerveNetworkException("GET /events", failure instanceof IOException io ? io : new IOException(failure)));
            else if (response.statusCode() >= 300) stream.fail(problem(response.statusCode(), response.headers(), (byte[]) response.body()));
            else stream.end();
        });
        try {
            stream.hasNext(); // the first state, or the refusal
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        return stream;
    }

    /**
     * The events of one GET /events, in order; an Iterator and an Iterable over the same events (iterate once).
     * {@code hasNext} waits for the next event until the stream's bound; closing cancels the request.
     */
    public static final class EventStream implements Iterator<JobEvent>, Iterable<JobEvent>, AutoCloseable {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final Deadline deadline;
        private volatile Flow.Subscription subscription;
        private volatile CompletableFuture<?> future;
        private volatile boolean closed;
        private Object next;
        // The event being read: its type and data lines (text/event-stream).
        private String type;
        private final StringBuilder data = new StringBuilder();

        private EventStream(Deadline deadline) { this.deadline = deadline; }

        private Flow.Subscriber<String> lines() {
            return new Flow.Subscriber<>() {
                public void onSubscribe(Flow.Subscription s) {
                    subscription = s;
                    if (closed) s.cancel();
                    else s.request(Long.MAX_VALUE);
                }
                public void onNext(String line) { line(line); }
                public void onError(Throwable failure) { /* the response future fails too, and says it */ }
                public void onComplete() { end(); }
            };
        }

        private void line(String line) {
            if (line.startsWith("event:")) {
                type = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                if (data.length() > 0) data.append('\n');
                data.append(line.substring(5).replaceFirst("^ ", ""));
            } else if (line.isEmpty() && data.length() > 0) {
                var json = object(Json.parse(data.toString()));
                var kind = type == null ? "message" : type;
                data.setLength(0);
                type = null;
                if (kind.equals("source")) queue.add(SourceDescribed.from(json));
                else if (kind.equals("output_done")) queue.add(OutputDone.from(json));
                else if (json.get("status") instanceof String) queue.add(new StateChanged(JobStatus.from(json)));
                // any other event type is one this client does not know yet: skipped
            }
        }

        private void end() { queue.add(END); }

        private void fail(RuntimeException e) { queue.add(e); }

        @Override
        public boolean hasNext() {
            if (next == null) next = take();
            return next != END;
        }

        @Override
        public JobEvent next() {
            if (!hasNext()) throw new NoSuchElementException("the event stream has ended");
            var event = (JobEvent) next;
            next = null;
            return event;
        }

        @Override
        public Iterator<JobEvent> iterator() { return this; }

        private Object take() {
            if (closed) return END;
            Object item;
            try {
                var left = deadline.remaining();
                item = left == null ? queue.take() : queue.poll(left.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new CancellationException(deadline.operation + ": interrupted");
            }
            if (item == null) {
                close();
                throw deadline.expired();
            }
            if (item instanceof RuntimeException e) {
                close();
                next = END;
                throw e;
            }
            if (item == END) close();
            return item;
        }

        /** Stops reading and cancels the request; {@code hasNext} is false from then on. */
        @Override
        public void close() {
            closed = true;
            var s = subscription;
            if (s != null) s.cancel();
            var f = future;
            if (f != null) f.cancel(true);
        }
    }

    /**
     * The job's status once final (completed, failed or cancelled): server-sent events, then polling with backoff if
     * the stream breaks. Past {@code timeout} it throws {@link PixerveTimeoutException} and cancels its request.
     */
    public JobStatus waitUntilFinal(String token, Job job, Duration timeout) throws InterruptedException {
        var deadline = deadline("waitUntilFinal", timeout);
        try (var stream = events(token, job, deadline)) {
            for (var event : stream) {
                if (event instanceof StateChanged s && s.state().isFinal()) return s.state();
            }
        } catch (PixerveNetworkException e) {
            // the stream broke: poll instead
        } catch (CancellationException e) {
            if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
            throw e;
        }
        for (long delay = 200; ; delay = Math.min(delay * 2, 5000)) {
            JobStatus state;
            try {
                state = status(token, job, deadline);
            } catch (CancellationException e) {
                if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
                throw e;
            }
            if (state.isFinal()) return state;
            var left = deadline.remaining();
            if (left.isZero()) throw deadline.expired();
            Thread.sleep(Math.min(delay, Math.max(1, left.toMillis())));
        }
    }

    /** A directHost output, served at /files/{subDir}/{name}. */
    public byte[] download(String subDir, String name) { return download(subDir, name, timeout); }

    public byte[] download(String subDir, String name, Duration timeout) {
        var parts = new ArrayList<String>();
        for (var p : (subDir + "/" + name).split("/")) if (!p.isEmpty()) parts.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
        return exchange("GET /files", request("/files/" + String.join("/", parts), null).GET(), HttpResponse.BodyHandlers.ofByteArray(),
            deadline("GET /files", timeout)).body();
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

    private HttpClient client(HttpRequest request) { return request.headers().firstValue("Authorization").isPresent() ? withToken : http; }

    private Object json(HttpRequest.Builder request, Deadline deadline) {
        var built = request.header("Accept", "application/json");
        var operation = built.copy().build().method() + " " + built.copy().build().uri().getPath();
        return Json.parse(new String(exchange(operation, built, HttpResponse.BodyHandlers.ofByteArray(), deadline).body(), StandardCharsets.UTF_8));
    }

    static Map<String, Object> object(Object json) { return cast(json); }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) { return (T) o; }

    /** A call's bound: {@code bound} null is none. */
    record Deadline(String operation, Duration bound, long endNanos) {
        /** The time left (zero once passed), or null without a bound. */
        Duration remaining() { return bound == null ? null : Duration.ofNanos(Math.max(0, endNanos - System.nanoTime())); }

        PixerveTimeoutException expired() { return new PixerveTimeoutException(operation, bound); }
    }

    private static Duration positive(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("a timeout must be positive, not " + timeout);
        return timeout;
    }

    private static Deadline deadline(String operation, Duration timeout) {
        return new Deadline(operation, positive(timeout), System.nanoTime() + timeout.toNanos());
    }

    /**
     * Sends {@code request} and waits for its whole answer until {@code deadline}: past it the request is cancelled and
     * a {@link PixerveTimeoutException} thrown. An answer of 300 or more is a {@link PixerveException}.
     */
    private <T> HttpResponse<T> exchange(String operation, HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler, Deadline deadline) {
        var left = deadline.remaining();
        if (left.isZero()) throw deadline.expired();
        var built = request.timeout(left).build();
        CompletableFuture<HttpResponse<Object>> future = client(built).sendAsync(built,
            info -> info.statusCode() < 300 ? cast(handler.apply(info)) : cast(HttpResponse.BodySubscribers.ofByteArray()));
        HttpResponse<Object> response;
        try {
            response = future.get(left.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw deadline.expired();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException(operation + ": interrupted");
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                var expired = deadline.expired();
                expired.initCause(cause);
                throw expired;
            }
            if (cause instanceof IOException io) throw new PixerveNetworkException(operation, io);
            if (cause instanceof RuntimeException r) throw r;
            throw new PixerveNetworkException(operation, new IOException(cause));
        }
        if (response.statusCode() < 300) return cast(response);
        throw problem(response.statusCode(), response.headers(), (byte[]) response.body());
    }

    private static PixerveException problem(int status, HttpHeaders headers, byte[] body) {
        var text = new String(body, StandardCharsets.UTF_8);
        Map<String, Object> problem;
        try {
            problem = text.isBlank() ? Map.of() : object(Json.parse(text));
        } catch (RuntimeException e) {
            problem = Map.of("detail", text);
        }
        return new PixerveException(status, problem, headers.firstValue("Retry-After").map(PixerveClient::retryAfter).orElse(null));
    }

    /** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3); null when it is neither. */
    static Duration retryAfter(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException notSeconds) {
            try {
                var at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                var wait = Duration.between(java.time.Instant.now(), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (RuntimeException notDate) {
                return null;
            }
        }
    }
}
