package com.pixerve.client;

import static com.pixerve.client.GatewayTest.check;
import static com.pixerve.client.GatewayTest.equal;

import com.pixerve.client.Models.UploadResponse;
import com.pixerve.client.PixerveClient.Job;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Resumable uploads (tus 1.0 on /uploads) against the real gateway. A drop is made by clients/cut-proxy.py, a loopback
 * proxy that resets the connection once in the middle of a PATCH body.
 */
final class ResumableTest {
    static final int CHUNK = 256 << 10;
    static final int SIZE = (3 << 20) + 12345;       // a few MB in 13 chunks, the last one short
    static final int CUT = 5 * CHUNK + 100000;       // in the middle of the sixth chunk

    interface Body { void run(String proxyUrl) throws Exception; }

    /** Runs {@code body} with cut-proxy.py in front of the gateway and answers the requests it forwarded. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> throughCutProxy(Body body) throws Exception {
        var log = Files.createTempFile("pixerve-cut-proxy", ".jsonl");
        var proxy = new ProcessBuilder("python3", "../cut-proxy.py", System.getenv("PIXERVE_URL"), Integer.toString(CUT), log.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            var port = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8)).readLine();
            check(port != null && port.matches("\\d+"), "the cut proxy printed " + port);
            body.run("http://127.0.0.1:" + port);
            var requests = new ArrayList<Map<String, Object>>();
            for (var line : Files.readAllLines(log)) requests.add((Map<String, Object>) Json.parse(line));
            return requests;
        } finally {
            proxy.getOutputStream().close(); // the proxy ends when its stdin closes
            proxy.waitFor();
            Files.deleteIfExists(log);
        }
    }

    /** The photo padded with random bytes to SIZE (a new hash each time), and its SHA-256. */
    static Map.Entry<Path, String> photoFile() throws Exception {
        var data = new byte[SIZE];
        new SecureRandom().nextBytes(data);
        System.arraycopy(GatewayTest.photo, 0, data, 0, GatewayTest.photo.length);
        var dir = Files.createTempDirectory("pixerve-resumable");
        var path = dir.resolve("resumable-photo.jpg");
        Files.write(path, data);
        path.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return Map.entry(path, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
    }

    static String token() {
        return JobToken.mint(GatewayTest.SECRET, JobSpec.create().format("jpg", 400).directHost(true).subDir("java-client"), Duration.ofMinutes(10), "java-tests");
    }

    static void checkCompleted(String token, UploadResponse answer, String sha) throws Exception {
        equal(sha, answer.hash());
        equal(64, answer.jobId().length());
        equal(List.of(sha + "_resumable-photo_400_400_.jpg"), answer.expectedFiles());
        var fin = GatewayTest.client.waitUntilFinal(token, Job.byHash(answer.hash()), Duration.ofMinutes(2));
        equal(List.of("completed", answer.jobId()), List.of(fin.status(), fin.jobId()));
    }

    static long num(Map<String, Object> request, String key) { return request.get(key) instanceof Number n ? n.longValue() : -1; }

    /** One upload created, one cut, a HEAD after it, the next PATCH at an offset the server had, at most the cut chunk sent again. */
    static void checkResumed(List<Map<String, Object>> requests) {
        int posts = 0, cut = -1, resumed = -1, heads = 0;
        long patched = 0;
        for (var i = 0; i < requests.size(); i++) {
            var r = requests.get(i);
            check(r.get("error") == null, "the proxy could not follow " + r);
            var method = (String) r.get("method");
            if (method.equals("POST")) posts++;
            else if (Boolean.TRUE.equals(r.get("cut"))) {
                check(cut < 0, "cut twice: " + requests);
                cut = i;
            } else if (method.equals("HEAD") && cut >= 0) heads++;
            else if (method.equals("PATCH") && cut >= 0 && resumed < 0) resumed = i;
            if (method.equals("PATCH")) {
                patched += num(r, "sent");
                check(num(r, "length") <= CHUNK, "a PATCH of " + num(r, "length") + " bytes, more than a chunk");
            }
        }
        check(posts == 1 && cut >= 0 && heads > 0 && resumed >= 0,
            posts + " uploads created, cut at request " + cut + ", " + heads + " HEADs after it, resumed at " + resumed + ": " + requests);
        var c = requests.get(cut);
        var r = requests.get(resumed);
        check(num(r, "offset") >= num(c, "offset") && num(r, "offset") <= num(c, "offset") + num(c, "sent"),
            "cut at " + num(c, "offset") + " after " + num(c, "sent") + " bytes of its chunk, resumed at " + num(r, "offset"));
        var resent = patched - SIZE;
        check(resent >= 0 && resent <= num(c, "sent"), "re-sent " + resent + " bytes; the cut chunk got " + num(c, "sent") + " through");
    }

    static void inSmallChunks() throws Exception {
        var file = photoFile();
        var token = token();
        var progress = new ArrayList<Long>();
        var answer = GatewayTest.client.uploadResumable(file.getKey(), token, new ResumableOptions().chunkSize(CHUNK).onProgress((sent, total) -> {
            if (total != SIZE) throw new AssertionError("progress total " + total);
            progress.add(sent);
        }));
        checkCompleted(token, answer, file.getValue());
        equal(List.of(0L, (long) SIZE), List.of(progress.get(0), progress.get(progress.size() - 1)));
        check(progress.stream().sorted().toList().equals(progress) && progress.size() >= SIZE / (64 << 10), "progress " + progress);
    }

    static void goesOnAfterADrop() throws Exception {
        var file = photoFile();
        var token = token();
        var answer = new UploadResponse[1];
        var last = new long[1];
        checkResumed(throughCutProxy(proxy -> answer[0] = new PixerveClient(URI.create(proxy)).uploadResumable(file.getKey(), token,
            new ResumableOptions().chunkSize(CHUNK).onProgress((sent, total) -> last[0] = sent))));
        equal((long) SIZE, last[0]);
        checkCompleted(token, answer[0], file.getValue());
    }

    static void goesOnFromItsUrl() throws Exception {
        var file = photoFile();
        var urls = new ArrayList<String>();
        var answer = new UploadResponse[1];
        var token = token();
        checkResumed(throughCutProxy(proxy -> {
            try {
                new PixerveClient(URI.create(proxy)).uploadResumable(file.getKey(), token(), new ResumableOptions().chunkSize(CHUNK).maxRetries(0)
                    .onUploadUrl(urls::add));
                throw new AssertionError("without retries the drop did not end the call");
            } catch (PixerveNetworkException expected) {
                equal(1, urls.size());
            }
            // Later, with a new token of the same sub and job claim, through the same proxy (it cuts no more).
            answer[0] = new PixerveClient(URI.create(proxy)).uploadResumable(file.getKey(), token, new ResumableOptions().chunkSize(CHUNK).uploadUrl(urls.get(0)));
        }));
        checkCompleted(token, answer[0], file.getValue());
    }
}
