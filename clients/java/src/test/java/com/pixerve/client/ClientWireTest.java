package com.pixerve.client;

import static com.pixerve.client.GatewayTest.check;
import static com.pixerve.client.GatewayTest.equal;

import com.pixerve.client.Models.JobStatus;
import com.pixerve.client.PixerveClient.Job;
import com.sun.net.httpserver.HttpServer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The typed model, the error taxonomy and the timeouts, against loopback servers of the test's own (no gateway needed). */
final class ClientWireTest {
    /** GET /status's example in docs/http-api.md, shortened: every typed field set. */
    static final String DOCS_STATUS = """
        {"hash":"13c1","job_id":"43de","status":"completed","priority":5,
         "created_at":"2026-11-25T20:39:02.7471811+00:00","updated_at":"2026-11-25T20:39:03.2407436+00:00",
         "started_at":"2026-11-25T20:39:02.8166971+00:00","finished_at":"2026-11-25T21:39:03.2407436+01:00",
         "attempts":2,"retries":1,"expected_files":["13c1_va_400_400_.webp","13c1_va_1200_1600_.jpg","13c1_va.gif"],"files":[],
         "error":null,"error_category":null,"error_id":null,
         "webhook":{"status":"delivered","attempts":3,"last_status_code":204,"last_error":null,"delivered_at":"2026-11-25T20:39:03.4856667+00:00"},
         "processed_by":"S127.0.0.1:11111:154643912","source":null,
         "outputs":[{"name":"13c1_va_400_400_.webp","format":"webp","width":400,"height":225,"bytes":2,"locations":[]},
                    {"name":"13c1_va_1200_1600_.jpg","format":"jpg","width":1600,"height":900,"bytes":3,"locations":[]},
                    {"name":"13c1_va.gif","format":"original","width":1600,"height":900,"bytes":4,"locations":[]}],
         "outputs_done":3,"outputs_total":3}""";

    static void statusIsTyped() {
        var s = JobStatus.from(PixerveClient.object(Json.parse(DOCS_STATUS)));
        equal(Instant.parse("2026-11-25T20:39:02.7471811Z"), s.createdAt());
        equal(Instant.parse("2026-11-25T20:39:03.2407436Z"), s.finishedAt()); // its +01:00 offset taken into account
        equal(List.of(5, 2, 1, 3, 3), List.of(s.priority(), s.attempts(), s.retries(), s.outputsDone(), s.outputsTotal()));
        equal(new Models.WebhookState("delivered", 3, 204, null, Instant.parse("2026-11-25T20:39:03.4856667Z")), s.webhook());
        // The server's order, which is neither alphabetical nor by format.
        equal(s.expectedFiles(), s.outputs().stream().map(Models.JobOutput::name).toList());
        equal(List.of("webp", "jpg", "original"), s.outputs().stream().map(Models.JobOutput::format).toList());
        var pending = JobStatus.from(PixerveClient.object(Json.parse("{\"status\":\"pending\",\"started_at\":null,\"webhook\":null}")));
        check(pending.startedAt() == null && pending.webhook() == null && !pending.isFinal(), "pending: " + pending);
    }

    static void specKeepsTheCallersOrder() {
        // Neither alphabetical (a TreeMap's order) nor by chance a HashMap's.
        var spec = JobSpec.create().format("webp", Map.of("quality", 70), List.of(800)).format("jpg", 1600, 1200).format("gif", 64)
            .format("jpg", 400).directHost(true).subDir("u42");
        equal("{\"formats\":{\"webp\":{\"settings\":{\"quality\":70},\"sizes\":[[800]]},\"jpg\":{\"sizes\":[[1600,1200],[400]]},"
            + "\"gif\":{\"sizes\":[[64]]}},\"directHost\":true,\"subDir\":\"u42\"}", spec.toString());
        equal(List.of("webp", "jpg", "gif"), spec.formatNames());
        var token = JobToken.mint("a-secret-long-enough-for-hs256-0123456789", spec, Duration.ofMinutes(1));
        var claims = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        check(claims.startsWith("{\"job\":" + spec + ","), claims);
    }

    /** Answers every request with {@code status}, {@code headers} and {@code body}. */
    static HttpServer answering(int status, Map<String, String> headers, String body) throws Exception {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            headers.forEach(exchange.getResponseHeaders()::set);
            var bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    static void problemCarriesItsMembers() throws Exception {
        var server = answering(503, Map.of("Content-Type", "application/problem+json", "Retry-After", "7"),
            "{\"type\":\"https://tools.ietf.org/html/rfc9110#section-15.6.4\",\"title\":\"Service Unavailable\",\"status\":503,"
                + "\"detail\":\"the cluster cannot be reached\",\"errors\":{\"hash\":[\"bad\"]},\"trace_id\":\"00-ab\"}");
        try {
            var client = new PixerveClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            var e = GatewayTest.refusal(() -> client.status("t.o.k", Job.byHash("h")));
            equal(List.of(503, "https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable", "the cluster cannot be reached"),
                List.of(e.status(), e.type(), e.title(), e.detail()));
            equal(Duration.ofSeconds(7), e.retryAfter());
            equal(Map.of("hash", List.of("bad")), e.errors());
            equal("00-ab", e.extension("trace_id"));
        } finally {
            server.stop(0);
        }
    }

    static void refusedConnectionIsANetworkError() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { port = s.getLocalPort(); } // closed: nothing listens
        var client = new PixerveClient(URI.create("http://127.0.0.1:" + port));
        try {
            client.status("t.o.k", Job.byHash("h"));
            throw new AssertionError("no error from a closed port");
        } catch (PixerveNetworkException e) {
            check(e.getCause() instanceof ConnectException, "cause " + e.getCause());
            equal("GET /status", e.operation());
        }
    }

    /** A server that takes connections and never answers: each call must end at its own timeout, not hang. */
    static void silentServerTimesOut() throws Exception {
        try (var silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var held = new ArrayList<Socket>();
            var acceptor = new Thread(() -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (Exception closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var client = new PixerveClient(URI.create("http://127.0.0.1:" + silent.getLocalPort()));
            for (var call : List.<Map.Entry<String, GatewayTest.Check>>of(
                Map.entry("GET /status", () -> client.status("t.o.k", Job.byHash("h"), Duration.ofSeconds(1))),
                Map.entry("POST /upload", () -> client.withTimeout(Duration.ofSeconds(1)).upload(new PixerveClient.Upload("a.jpg", new byte[] {1}), "t.o.k")),
                Map.entry("GET /events", () -> client.events("t.o.k", Job.byHash("h"), Duration.ofSeconds(1))),
                Map.entry("waitUntilFinal", () -> client.waitUntilFinal("t.o.k", Job.byHash("h"), Duration.ofSeconds(1))))) {
                GatewayTest.within(Duration.ofSeconds(5), () -> {
                    var started = System.nanoTime();
                    try {
                        call.getValue().run();
                        throw new AssertionError(call.getKey() + " answered");
                    } catch (PixerveTimeoutException e) {
                        var ms = (System.nanoTime() - started) / 1_000_000;
                        check(ms >= 900 && ms < 2000, call.getKey() + " timed out after " + ms + " ms, not within 1 s + 1 s");
                        equal(List.of(call.getKey(), Duration.ofSeconds(1)), List.of(e.operation(), e.timeout()));
                    }
                });
            }
            for (var s : held) s.close();
        }
    }
}
