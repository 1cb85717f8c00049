package com.pixerve.client;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import com.pixerve.client.PixerveClient.Job;
import com.pixerve.client.PixerveClient.Upload;

/** What the client puts on the wire, against loopback servers of the test's own (no gateway needed). */
final class WireTest {
    /** An upload's answer, and a batch's (no entries). */
    static final String ANSWER = "{\"hash\":\"h\",\"job_id\":\"j\",\"expected_files\":[],\"status\":\"pending\",\"jobs\":[]}";
    /** CR, LF and a header after them, quotes, a backslash, a percent sign, a space and non-ASCII. */
    static final String ODD_NAME = "evil\"\r\nX-Injected: 1\r\n\r\n\\ 100% \u00fc\u6f22.jpg";

    /** A loopback HTTP/1.1 server that keeps each request's raw bytes (as ISO-8859-1 text) and answers 200 with ANSWER. */
    static final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final List<String> requests = Collections.synchronizedList(new ArrayList<>());

        RawServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            var thread = new Thread(this::serve);
            thread.setDaemon(true);
            thread.start();
        }

        String url() { return "http://127.0.0.1:" + socket.getLocalPort(); }

        private void serve() {
            while (true) {
                try (var connection = socket.accept()) {
                    var in = connection.getInputStream();
                    var raw = new ByteArrayOutputStream();
                    var buffer = new byte[65536];
                    int end = -1, length = 0;
                    while (end < 0 || raw.size() < end + 4 + length) {
                        var n = in.read(buffer);
                        if (n < 0) break;
                        raw.write(buffer, 0, n);
                        var text = raw.toString(StandardCharsets.ISO_8859_1);
                        if (end < 0 && (end = text.indexOf("\r\n\r\n")) >= 0) {
                            var m = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, end));
                            length = m.find() ? Integer.parseInt(m.group(1)) : 0;
                        }
                    }
                    requests.add(raw.toString(StandardCharsets.ISO_8859_1));
                    connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                        + ANSWER.length() + "\r\n\r\n" + ANSWER).getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    if (socket.isClosed()) return;
                }
            }
        }

        @Override
        public void close() throws IOException { socket.close(); }
    }

    /** Each part's header lines, from the raw request. */
    static List<List<String>> partHeaders(String raw) {
        var end = raw.indexOf("\r\n\r\n");
        var m = Pattern.compile("boundary=([^\r\n;]+)").matcher(raw.substring(0, end));
        GatewayTest.check(m.find(), "no boundary in " + raw.substring(0, end));
        var parts = raw.substring(end + 4).split(Pattern.quote("--" + m.group(1)), -1);
        var headers = new ArrayList<List<String>>();
        for (var part : Arrays.asList(parts).subList(1, parts.length - 1)) headers.add(List.of(part.substring(2, part.indexOf("\r\n\r\n")).split("\r\n", -1)));
        return headers;
    }

    static String percentDecoded(String text) { return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8); }

    static void oddFileNameGoesEncodedAndRoundTrips() throws Exception {
        try (var server = new RawServer()) {
            var jpeg = new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
            new PixerveClient(URI.create(server.url())).uploadBatch(List.of(new Upload(ODD_NAME, jpeg), new Upload("plain.jpg", jpeg)), "a.b.c");
            var raw = server.requests.get(0);
            GatewayTest.check(!raw.substring(0, raw.indexOf("\r\n\r\n")).contains("X-Injected"), "a header came out of the file name:\n" + raw);
            var parts = partHeaders(raw);
            GatewayTest.equal(2, parts.size());
            // Two header lines per part: no CR or LF of the name split the header or started another.
            var odd = parts.get(0);
            GatewayTest.equal("Content-Type: application/octet-stream", odd.get(1));
            GatewayTest.equal(2, odd.size());
            var m = Pattern.compile("Content-Disposition: form-data; name=\"file\"; filename=\"([\\x20-\\x7e]*)\"; filename\\*=UTF-8''([\\x21-\\x7e]*)").matcher(odd.get(0));
            GatewayTest.check(m.matches(), "odd part's header " + odd);
            GatewayTest.equal(List.of(ODD_NAME, ODD_NAME), List.of(percentDecoded(m.group(1)), percentDecoded(m.group(2))));
            // A plain name goes as it is, without filename*.
            GatewayTest.equal(List.of("Content-Disposition: form-data; name=\"file\"; filename=\"plain.jpg\"", "Content-Type: application/octet-stream"), parts.get(1));
        }
    }

    /** Answers every request and keeps "METHOD uri Authorization" of each; with redirectTo set, the answer is a 302 there. */
    static HttpServer recordingServer(List<String> seen, String redirectTo) throws IOException {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            if (redirectTo != null) {
                exchange.getResponseHeaders().set("Location", redirectTo + exchange.getRequestURI());
                exchange.sendResponseHeaders(302, -1);
            } else {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ANSWER.length());
                exchange.getResponseBody().write(ANSWER.getBytes(StandardCharsets.UTF_8));
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    static void redirectDoesNotCarryTheToken() throws Exception {
        // 127.0.0.1 on another port is another origin. java.net.http would send the token there when it follows
        // redirects, so a call carrying it follows none, even on an HttpClient that does.
        for (var redirects : List.of(HttpClient.Redirect.NEVER, HttpClient.Redirect.NORMAL, HttpClient.Redirect.ALWAYS)) {
            var elsewhereSeen = Collections.synchronizedList(new ArrayList<String>());
            var gatewaySeen = Collections.synchronizedList(new ArrayList<String>());
            var elsewhere = recordingServer(elsewhereSeen, null);
            var gateway = recordingServer(gatewaySeen, "http://127.0.0.1:" + elsewhere.getAddress().getPort());
            try {
                var client = new PixerveClient(URI.create("http://127.0.0.1:" + gateway.getAddress().getPort()), HttpClient.newBuilder().followRedirects(redirects).build());
                GatewayTest.equal(302, GatewayTest.refusal(() -> client.status("the.job.token", Job.byHash("h"))).status());
                GatewayTest.equal(302, GatewayTest.refusal(() -> client.upload(new Upload("a.jpg", new byte[] {(byte) 0xff}), "the.job.token")).status());
                GatewayTest.equal(List.of("GET /status?hash=h Bearer the.job.token", "POST /upload Bearer the.job.token"), gatewaySeen);
                GatewayTest.equal(redirects + ": []", redirects + ": " + elsewhereSeen);
            } finally {
                gateway.stop(0);
                elsewhere.stop(0);
            }
        }
    }
}
