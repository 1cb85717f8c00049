package com.pixerve.client;

import static com.pixerve.client.GatewayTest.check;
import static com.pixerve.client.GatewayTest.equal;

import com.pixerve.client.Models.JobEvent;
import com.pixerve.client.Models.OutputDone;
import com.pixerve.client.Models.SourceDescribed;
import com.pixerve.client.Models.StateChanged;
import com.pixerve.client.PixerveClient.Job;
import com.pixerve.client.PixerveClient.Upload;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.tools.ToolProvider;

/** Issue 27's behaviour table against the real gateway (PIXERVE_URL) and the paused one (PIXERVE_HELD_URL). */
final class ClientGatewayTest {
    static final String SUB_DIR = "java-client";

    static PixerveClient client() { return GatewayTest.client; }

    static void statusIsTypedAndOrdered() throws Exception {
        // gif before jpg before webp: neither alphabetical (the order a sorted map gives) nor the order of a Map.of.
        var spec = JobSpec.create().format("webp", 200).format("gif", 64).format("jpg", 400).format("webp", 100).directHost(true).subDir(SUB_DIR);
        var token = JobToken.mint(GatewayTest.SECRET, spec, Duration.ofMinutes(10), "java-tests");
        var answer = client().upload(new Upload("ordered.jpg", GatewayTest.unique()), token);
        var tails = List.of("_ordered_200_200_.webp", "_ordered_100_100_.webp", "_ordered_64_64_.gif", "_ordered_400_400_.jpg");
        equal(tails.stream().map(t -> answer.hash() + t).toList(), answer.expectedFiles());
        var fin = client().waitUntilFinal(token, Job.byHash(answer.hash()), Duration.ofMinutes(2));
        equal("completed", fin.status());
        equal(answer.expectedFiles(), fin.outputs().stream().map(Models.JobOutput::name).toList());
        check(!fin.createdAt().isAfter(fin.startedAt()) && !fin.startedAt().isAfter(fin.finishedAt()),
            "created " + fin.createdAt() + ", started " + fin.startedAt() + ", finished " + fin.finishedAt());
        check(Duration.between(fin.createdAt(), java.time.Instant.now()).abs().compareTo(Duration.ofMinutes(5)) < 0, "created at " + fin.createdAt());
        equal(List.of(1, 0, 4, 4), List.of(fin.attempts(), fin.retries(), fin.outputsDone(), fin.outputsTotal()));
        check(fin.webhook() == null, "a webhook state without a completionCallback: " + fin.webhook());
        var success = client().success(token, Job.byHash(answer.hash()));
        equal(List.of("success", fin.finishedAt(), 4), List.of(success.status(), success.timestamp(), success.fileCount()));
        var failures = client().failures(token, Job.byHash(answer.hash()));
        equal("success", failures.status()); // a completed job's failures record says so
        // Retry runs only a failed job: the typed refusal says which rule.
        var e = GatewayTest.refusal(() -> client().retry(token, Job.byHash(answer.hash())));
        equal(409, e.status());
        check(e.detail().contains("only a failed job can be retried"), e.detail());
    }

    static void eventsAreTyped() throws Exception {
        var spec = JobSpec.create().format("jpg", 400).format("jpg", 200).format("png", 100).directHost(true).subDir(SUB_DIR);
        var token = JobToken.mint(GatewayTest.SECRET, spec, Duration.ofMinutes(10), "java-tests");
        var answer = client().upload(new Upload("events.jpg", GatewayTest.unique()), token);
        var seen = new ArrayList<JobEvent>();
        try (var events = client().events(token, Job.byHash(answer.hash()), Duration.ofMinutes(2))) {
            for (var event : events) seen.add(event);
            check(!events.hasNext(), "events after the final state");
        }
        var kinds = new StringBuilder();
        for (var event : seen) {
            equal(answer.hash(), event.hash());
            kinds.append(event instanceof StateChanged s ? switch (s.state().status()) {
                case "pending" -> 'q';
                case "processing" -> 'r';
                default -> s.state().status().charAt(0);
            } : event instanceof SourceDescribed ? 'S' : 'O');
        }
        // States (pending, processing), the source once, each output in order, then completed last.
        check(Pattern.matches("q*r*SOOOc", kinds), "events " + kinds);
        var done = seen.stream().filter(e -> e instanceof OutputDone).map(e -> (OutputDone) e).toList();
        equal(answer.expectedFiles(), done.stream().map(OutputDone::name).toList());
        equal(List.of(1, 2, 3), done.stream().map(OutputDone::done).toList());
        equal(List.of(400, 267), List.of(done.get(0).width(), done.get(0).height()));
        var source = seen.stream().filter(e -> e instanceof SourceDescribed).map(e -> ((SourceDescribed) e).source()).findFirst().orElseThrow();
        equal(List.of(1920, 1280), List.of(source.width(), source.height()));
    }

    static String heldToken() {
        return JobToken.mint(GatewayTest.SECRET, JobSpec.create().format("jpg", 400).directHost(true).subDir(SUB_DIR), Duration.ofMinutes(10), "java-held");
    }

    /** On the paused Pixerve the job stays pending: the wait must end at its timeout (2 s), within 2 s + 1 s. */
    static void waitTimesOutOnAHeldJob() throws Exception { GatewayTest.within(Duration.ofSeconds(30), ClientGatewayTest::waitOnHeldJob); }

    static void waitOnHeldJob() throws Exception {
        var held = new PixerveClient(URI.create(System.getenv("PIXERVE_HELD_URL")));
        var token = heldToken();
        var answer = held.upload(new Upload("held.jpg", GatewayTest.unique()), token);
        equal("pending", answer.status());
        var started = System.nanoTime();
        try {
            var fin = held.waitUntilFinal(token, Job.byHash(answer.hash()), Duration.ofSeconds(2));
            throw new AssertionError("a held job came back " + fin.status());
        } catch (PixerveTimeoutException e) {
            var ms = (System.nanoTime() - started) / 1_000_000;
            check(ms >= 1900 && ms < 3000, "the 2 s wait ended after " + ms + " ms");
            equal(List.of("waitUntilFinal", Duration.ofSeconds(2)), List.of(e.operation(), e.timeout()));
        }
        // The events stream of the same job: the first state at once, then the bound.
        started = System.nanoTime();
        try (var events = held.events(token, Job.byHash(answer.hash()), Duration.ofSeconds(1))) {
            var first = events.next();
            check(first instanceof StateChanged s && s.state().status().equals("pending"), "first event " + first);
            events.hasNext();
            throw new AssertionError("a held job's stream went on");
        } catch (PixerveTimeoutException e) {
            var ms = (System.nanoTime() - started) / 1_000_000;
            check(ms >= 900 && ms < 2000, "the 1 s stream ended after " + ms + " ms");
        }
        // Interrupting the waiting thread cancels the wait at once (Java's cancellation), with InterruptedException.
        var outcome = new java.util.concurrent.CompletableFuture<Throwable>();
        var waiter = new Thread(() -> {
            try {
                held.waitUntilFinal(token, Job.byHash(answer.hash()), Duration.ofMinutes(1));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        waiter.setDaemon(true);
        waiter.start();
        Thread.sleep(300);
        started = System.nanoTime();
        waiter.interrupt();
        var thrown = outcome.get(5, TimeUnit.SECONDS);
        var ms = (System.nanoTime() - started) / 1_000_000;
        check(thrown instanceof InterruptedException && ms < 1000, "an interrupted wait ended after " + ms + " ms with " + thrown);
        // Still pending: nothing was lost or changed by the cancelled waits.
        equal("pending", held.status(token, Job.byHash(answer.hash())).status());
    }

    /** 40 MB: the photo and then random bytes (decoders stop at the JPEG end marker), counting what was read. */
    static final class CountingSource extends InputStream {
        static final int SIZE = 40_000_000;
        final AtomicLong read = new AtomicLong();
        final byte[] head = GatewayTest.unique();
        final SecureRandom random = new SecureRandom();

        @Override
        public int read() throws IOException {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            var at = read.get();
            if (at >= SIZE) return -1;
            var n = (int) Math.min(len, SIZE - at);
            if (at < head.length) {
                n = (int) Math.min(n, head.length - at);
                System.arraycopy(head, (int) at, b, off, n);
            } else {
                var filler = new byte[n];
                random.nextBytes(filler);
                System.arraycopy(filler, 0, b, off, n);
            }
            read.addAndGet(n);
            return n;
        }
    }

    /**
     * A 40 MB stream through a loopback proxy to the gateway: when the first MiB of the request has reached the proxy,
     * the source must not have been read to its end (a client that buffered the file would have read all 40 MB
     * before sending a byte of it). Then the whole of it arrives and makes a job.
     */
    static void uploadStreams() throws Exception {
        var gateway = URI.create(System.getenv("PIXERVE_URL"));
        var source = new CountingSource();
        var readWhenOnTheWire = new AtomicLong(-1);
        try (var proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var thread = new Thread(() -> {
                try (var in = proxy.accept(); var out = new Socket(gateway.getHost(), gateway.getPort())) {
                    var back = new Thread(() -> pipe(out, in, null, null));
                    back.setDaemon(true);
                    back.start();
                    pipe(in, out, source, readWhenOnTheWire);
                } catch (IOException e) {
                    // the test is over
                }
            });
            thread.setDaemon(true);
            thread.start();
            var client = new PixerveClient(URI.create("http://127.0.0.1:" + proxy.getLocalPort()));
            var token = JobToken.mint(GatewayTest.SECRET, JobSpec.create().format("jpg", 200).directHost(true).subDir(SUB_DIR), Duration.ofMinutes(10), "java-tests");
            var answer = client.upload(Upload.of("big.jpg", source), token, Duration.ofMinutes(2));
            check(readWhenOnTheWire.get() >= 0, "the proxy never saw 1 MiB of the request");
            check(readWhenOnTheWire.get() < CountingSource.SIZE, "the source was read to its end (" + readWhenOnTheWire.get()
                + " bytes) before the first MiB of the request was on the wire");
            equal((long) CountingSource.SIZE, source.read.get());
            equal(64, answer.jobId().length());
            System.out.printf("     (%d of %d bytes read when 1 MiB was on the wire)%n", readWhenOnTheWire.get(), CountingSource.SIZE);
        }
    }

    /** Copies from {@code from} to {@code to}; with {@code source}, notes what it had read when 1 MiB had gone through. */
    static void pipe(Socket from, Socket to, CountingSource source, AtomicLong readWhenOnTheWire) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            var buffer = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (source != null && total >= 1 << 20 && readWhenOnTheWire.get() < 0) readWhenOnTheWire.set(source.read.get());
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // a side closed
        }
    }

    /** clients/java/README.md's example, compiled as it stands against the jar on the module path and run against PIXERVE_URL. */
    static void readmeExampleRuns() throws Exception {
        var readme = Files.readString(Path.of("README.md"));
        var m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        check(m.find(), "no ```java block in clients/java/README.md");
        var code = m.group(1);
        var lines = code.lines().filter(l -> !l.isBlank()).count();
        check(lines <= 16, "the README example has " + lines + " lines");
        var dir = Files.createTempDirectory("pixerve-readme");
        try {
            Files.writeString(dir.resolve("Example.java"), code);
            var jar = System.getenv("PIXERVE_CLIENT_JAR");
            check(jar != null, "PIXERVE_CLIENT_JAR is unset (test.sh sets it)");
            var javac = ToolProvider.getSystemJavaCompiler();
            var errors = new java.io.ByteArrayOutputStream();
            var rc = javac.run(null, errors, errors, "--release", "17", "--module-path", jar, "--add-modules", "com.pixerve.client",
                "-d", dir.toString(), dir.resolve("Example.java").toString());
            check(rc == 0, "the README example does not compile:\n" + errors);
            var java = ProcessHandle.current().info().command().orElse("java");
            var process = new ProcessBuilder(java, "--module-path", jar, "--add-modules", "com.pixerve.client", "-cp", dir.toString(), "Example",
                System.getenv("PIXERVE_TEST_IMAGE")).directory(dir.toFile()).redirectErrorStream(true).start();
            check(process.waitFor(3, TimeUnit.MINUTES), "the README example still runs after 3 minutes");
            var output = new String(process.getInputStream().readAllBytes());
            equal(0, process.exitValue());
            check(output.startsWith("completed"), "the README example printed: " + output);
            var picture = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("small.jpg"))));
            equal(400, picture.getWidth());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
