package com.pixerve.client;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import com.pixerve.client.Models.OutputLocation;
import com.pixerve.client.PixerveClient.Job;
import com.pixerve.client.PixerveClient.Upload;

/**
 * Against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE (clients/test.sh sets them).
 * A plain runner (no test framework installs offline here): prints each test and 'java tests: N passed, N failed',
 * and exits non-zero when one fails.
 */
public final class GatewayTest {
    interface Check { void run() throws Exception; }

    private static final String SUB_DIR = "java-client";
    static final String SECRET = System.getenv("PIXERVE_JWT_SECRET");
    static PixerveClient client;
    static byte[] photo;

    public static void main(String[] args) throws Exception {
        var tests = new LinkedHashMap<String, Check>();
        tests.put("an odd file name goes encoded and round-trips", WireTest::oddFileNameGoesEncodedAndRoundTrips);
        tests.put("a redirect to another origin does not carry the token", WireTest::redirectDoesNotCarryTheToken);
        tests.put("status is typed: instants, attempts, webhook state, outputs in the server's order", ClientWireTest::statusIsTyped);
        tests.put("a JobSpec keeps the caller's order in the claim", ClientWireTest::specKeepsTheCallersOrder);
        tests.put("a problem carries type, title, detail, errors, extensions and Retry-After", ClientWireTest::problemCarriesItsMembers);
        tests.put("a refused connection is a PixerveNetworkException", ClientWireTest::refusedConnectionIsANetworkError);
        tests.put("every call against a silent server ends at its 1 s timeout", ClientWireTest::silentServerTimesOut);
        var url = System.getenv("PIXERVE_URL");
        var heldUrl = System.getenv("PIXERVE_HELD_URL");
        var image = System.getenv("PIXERVE_TEST_IMAGE");
        // Without a gateway these tests fail rather than skip, so a run that reached none of them cannot read as a
        // pass; PIXERVE_SKIP_GATEWAY_TESTS=1 skips them on purpose.
        if (url == null || heldUrl == null || SECRET == null || image == null) {
            if ("1".equals(System.getenv("PIXERVE_SKIP_GATEWAY_TESTS"))) {
                System.out.println("skipped the gateway's tests: PIXERVE_SKIP_GATEWAY_TESTS=1");
            } else {
                tests.put("a gateway to test against", () -> {
                    throw new AssertionError("PIXERVE_URL, PIXERVE_HELD_URL, PIXERVE_JWT_SECRET or PIXERVE_TEST_IMAGE is unset: run clients/test.sh, "
                        + "or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway");
                });
            }
        } else {
            client = new PixerveClient(URI.create(url));
            photo = Files.readAllBytes(Path.of(image));
            tests.put("upload, wait until completed, download", GatewayTest::uploadWaitDownload);
            tests.put("status describes the source and every output", GatewayTest::describesSourceAndOutputs);
            tests.put("batch upload answers an entry per file", GatewayTest::batchUpload);
            tests.put("cancel a pending job", GatewayTest::cancelPending);
            tests.put("a bad token is 401", GatewayTest::badToken);
            tests.put("a bad token is 401 for a 16 MB upload, 20 times", () -> refusedEveryTime(16 << 20, 20));
            tests.put("a bad token is 401 for a 700 KB upload, 20 times", () -> refusedEveryTime(700 << 10, 20));
            tests.put("a bad spec is 400 naming the field", GatewayTest::badSpec);
            tests.put("another token's job is 404", GatewayTest::anotherTokensJob);
            tests.put("status, success and failures are typed; outputs come in the spec's order; retry is refused for a completed job",
                ClientGatewayTest::statusIsTypedAndOrdered);
            tests.put("events are typed: states, the source, each output in order", ClientGatewayTest::eventsAreTyped);
            tests.put("a wait on a held job ends at its 2 s timeout", ClientGatewayTest::waitTimesOutOnAHeldJob);
            tests.put("a 40 MB upload streams: on the wire before the source is read to its end", ClientGatewayTest::uploadStreams);
            tests.put("the README example runs as written", ClientGatewayTest::readmeExampleRuns);
            tests.put("a resumable upload in small chunks, with progress", ResumableTest::inSmallChunks);
            tests.put("a resumable upload goes on from the server's offset after a dropped connection", ResumableTest::goesOnAfterADrop);
            tests.put("a resumable upload left unfinished goes on from its URL", ResumableTest::goesOnFromItsUrl);
        }
        int passed = 0, failed = 0;
        for (var test : tests.entrySet()) {
            var started = System.nanoTime();
            try {
                test.getValue().run();
                passed++;
                System.out.printf("ok   %s (%d ms)%n", test.getKey(), (System.nanoTime() - started) / 1_000_000);
            } catch (Throwable e) {
                failed++;
                System.out.printf("FAIL %s: %s%n", test.getKey(), e);
                e.printStackTrace(System.out);
            }
        }
        System.out.printf("java tests: %d passed, %d failed%n", passed, failed);
        // A run of no test at all is no pass.
        System.exit(failed == 0 && passed > 0 ? 0 : 1);
    }

    static Map<String, Object> job(String format, int side, String subDir) {
        var job = new LinkedHashMap<String, Object>();
        job.put("formats", Map.of(format, Map.of("sizes", List.of(List.of(side)))));
        job.put("directHost", true);
        if (subDir != null) job.put("subDir", subDir);
        return job;
    }

    static String token(Map<String, Object> job) { return JobToken.mint(SECRET, job, Duration.ofMinutes(10), "java-tests"); }

    /** Other bytes, the same picture: decoders ignore what follows the JPEG end marker. */
    static byte[] unique() {
        var extra = new byte[16];
        new SecureRandom().nextBytes(extra);
        var bytes = new byte[photo.length + extra.length];
        System.arraycopy(photo, 0, bytes, 0, photo.length);
        System.arraycopy(extra, 0, bytes, photo.length, extra.length);
        return bytes;
    }

    static void check(boolean condition, String message) { if (!condition) throw new AssertionError(message); }

    static void equal(Object expected, Object actual) {
        if (!java.util.Objects.equals(expected, actual)) throw new AssertionError("expected " + expected + ", got " + actual);
    }

    /**
     * Runs {@code call} on a daemon thread and fails when it has not ended within {@code bound}: a timeout that does
     * not fire fails its test instead of hanging the run.
     */
    static void within(Duration bound, Check call) throws Exception {
        var outcome = new java.util.concurrent.CompletableFuture<Void>();
        var thread = new Thread(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        thread.setDaemon(true);
        thread.start();
        try {
            outcome.get(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            thread.interrupt();
            throw new AssertionError("still running after " + bound.toMillis() + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw (Error) e.getCause();
        }
    }

    static PixerveException refusal(Check call) throws Exception {
        try {
            call.run();
        } catch (PixerveException e) {
            return e;
        }
        throw new AssertionError("expected a PixerveException");
    }

    static void uploadWaitDownload() throws Exception {
        var token = token(job("jpg", 400, SUB_DIR));
        var answer = client.upload(new Upload("photo-1920x1280-canon.jpg", photo), token);
        equal(64, answer.jobId().length());
        equal(List.of(answer.hash() + "_photo-1920x1280-canon_400_400_.jpg"), answer.expectedFiles());
        var fin = client.waitUntilFinal(token, Job.byHash(answer.hash()), Duration.ofMinutes(2));
        equal("completed", fin.status());
        equal(400, fin.files().get(0).width());
        var picture = ImageIO.read(new ByteArrayInputStream(client.download(SUB_DIR, answer.expectedFiles().get(0))));
        equal(List.of(400, 267), List.of(picture.getWidth(), picture.getHeight()));
        equal("success", client.success(token, Job.byHash(answer.hash())).status());
        equal("success", client.failures(token, Job.byId(answer.jobId())).status());
        var again = client.upload(new Upload("photo-1920x1280-canon.jpg", photo), token, true);
        equal(List.of(answer.jobId(), "completed"), List.of(again.jobId(), again.status()));
    }

    static void describesSourceAndOutputs() throws Exception {
        // Three boxes, three fits: inside keeps the 3:2 aspect, fill stretches to the box, cover crops to it.
        var formats = new LinkedHashMap<String, Object>();
        formats.put("jpg", Map.of("sizes", List.of(List.of(400), Map.of("box", List.of(300, 100), "fit", "fill"))));
        formats.put("webp", Map.of("settings", Map.of("fit", "cover"), "sizes", List.of(List.of(240, 240))));
        var spec = new LinkedHashMap<String, Object>();
        spec.put("formats", formats);
        spec.put("directHost", true);
        spec.put("subDir", SUB_DIR);
        var token = token(spec);
        var answer = client.upload(new Upload("photo-1920x1280-canon.jpg", photo), token);
        var fin = client.waitUntilFinal(token, Job.byHash(answer.hash()), Duration.ofMinutes(2));
        equal("completed", fin.status());
        var source = fin.source();
        check(source != null, "no source in " + fin.json());
        equal(List.of("jpg", 1920, 1280, false, 1), List.of(source.format(), source.width(), source.height(), source.hasAlpha(), source.frames()));
        check(source.dominantColor() != null && source.dominantColor().matches("#[0-9a-f]{6}"), "dominant colour " + source.dominantColor());
        check(Base64.getDecoder().decode(source.thumbhash()).length >= 5, "thumbhash " + source.thumbhash());
        equal(28, source.blurhash().length());   // 4×3 components: 1 + 1 + 4 + 2 × 11 characters
        // By the name's tail ({H}_{W}, the box): format, width, height.
        var want = Map.of(
            "_photo-1920x1280-canon_400_400_.jpg", List.of("jpg", 400, 267),
            "_photo-1920x1280-canon_100_300_.jpg", List.of("jpg", 300, 100),
            "_photo-1920x1280-canon_240_240_.webp", List.of("webp", 240, 240));
        equal(want.keySet().stream().map(tail -> answer.hash() + tail).sorted().toList(), fin.expectedFiles().stream().sorted().toList());
        equal(fin.expectedFiles(), fin.outputs().stream().map(o -> o.name()).toList());
        for (var output : fin.outputs()) {
            equal(want.get(output.name().substring(answer.hash().length())), List.of(output.format(), output.width(), output.height()));
            check(output.bytes() > 0, output.name() + " has " + output.bytes() + " bytes");
            equal(List.of(new OutputLocation("direct", "/files/" + SUB_DIR + "/" + output.name())), output.locations());
        }
        var jobData = client.success(token, Job.byHash(answer.hash())).jobData();
        check(jobData != null, "no job_data in the success record");
        equal(List.of(source, fin.outputs()), List.of(jobData.source(), jobData.outputs()));
    }

    static void batchUpload() {
        // The gateway names each file as it read it: a name with CR, LF, quotes and non-ASCII comes back as sent.
        var text = "not an image".getBytes();
        var batch = client.uploadBatch(List.of(new Upload("a.jpg", unique()), new Upload("notes.txt", text), new Upload(WireTest.ODD_NAME, text)),
            token(job("jpg", 400, SUB_DIR)));
        equal(List.of("a.jpg", "notes.txt", WireTest.ODD_NAME), batch.stream().map(e -> e.file()).toList());
        equal("pending", batch.get(0).status());
        equal(List.of(415, 415), List.of(batch.get(1).error().status(), batch.get(2).error().status()));
    }

    static void cancelPending() throws Exception {
        // One conversion at a time: a slower job first keeps the next one pending long enough to cancel it.
        var token = token(job("jpg", 400, SUB_DIR));
        var slow = token(job("webp", 1920, SUB_DIR));
        var refusals = new ArrayList<Integer>();
        for (var attempt = 0; attempt < 8; attempt++) {
            client.upload(new Upload("slow.jpg", unique()), slow);
            var pending = client.upload(new Upload("pending.jpg", unique()), token);
            try {
                var cancelled = client.cancel(token, Job.byHash(pending.hash()));
                equal(List.of("cancelled", "cancelled by request"), List.of(cancelled.status(), cancelled.error()));
                equal("not_found", client.failures(token, Job.byHash(pending.hash())).status());
                return;
            } catch (PixerveException e) {
                if (e.status() != 409) throw e;
                refusals.add(e.status());
            }
        }
        throw new AssertionError("never caught a job still pending: " + refusals);
    }

    static void badToken() throws Exception {
        var bad = JobToken.mint("another-secret-that-is-long-enough-0123456789", job("jpg", 400, SUB_DIR), Duration.ofMinutes(1));
        var e = refusal(() -> client.upload(new Upload("p.jpg", photo), bad));
        equal(401, e.status());
        check(e.detail().contains("signature"), e.detail());
    }

    /** Uploads {@code size} bytes under a token of another secret {@code runs} times; each attempt must end in the 401. */
    static void refusedEveryTime(int size, int runs) {
        var bad = JobToken.mint("another-secret-that-is-long-enough-0123456789", job("jpg", 400, SUB_DIR), Duration.ofMinutes(1));
        var data = new byte[size];
        new SecureRandom().nextBytes(data);
        System.arraycopy(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0}, 0, data, 0, 4); // refused before its bytes are read
        var outcomes = new ArrayList<String>();
        for (var run = 0; run < runs; run++) {
            try {
                client.upload(new Upload("big.jpg", data), bad);
                outcomes.add("accepted");
            } catch (PixerveException e) {
                outcomes.add(e.status() == 401 && e.detail() != null && e.detail().contains("signature") ? "401" : e.getMessage());
            } catch (RuntimeException e) { // a transport error instead of the answer
                outcomes.add(e.toString());
            }
        }
        var surfaced = outcomes.stream().filter("401"::equals).count();
        check(surfaced == runs, surfaced + " of " + runs + " surfaced the 401: " + outcomes);
    }

    static void badSpec() throws Exception {
        var e = refusal(() -> client.upload(new Upload("p.jpg", photo), token(job("jpg", 0, null))));
        equal(List.of(400, "formats.jpg.sizes[0]"), List.of(e.status(), e.field()));
    }

    static void anotherTokensJob() throws Exception {
        var mine = client.upload(new Upload("mine.jpg", unique()), token(job("jpg", 400, SUB_DIR)));
        var stranger = token(job("jpg", 400, "someone-else"));
        equal(404, refusal(() -> client.status(stranger, Job.byHash(mine.hash()))).status());
    }
}
