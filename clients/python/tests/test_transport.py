"""What the client puts on the wire, against loopback servers of the test's own (no gateway needed)."""
import http.server
import json
import re
import socket
import threading
import unittest
import urllib.parse

from pixerve import Client

ANSWER = {"hash": "h", "job_id": "j", "expected_files": [], "status": "pending", "created_at": "2026-11-25T20:39:02.7471811+00:00"}
# CR, LF and a header after them, quotes, a backslash, a percent sign, a space and non-ASCII.
ODD_NAME = 'evil"\r\nX-Injected: 1\r\n\r\n\\ 100% \u00fc\u6f22.jpg'


class RawServer:
    """A loopback HTTP/1.1 server that keeps each request's raw bytes and answers 200 with ANSWER as JSON."""

    def __init__(self):
        self.requests = []
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                raw = b""
                while b"\r\n\r\n" not in raw:
                    raw += connection.recv(65536)
                length = int(re.search(rb"(?im)^content-length:\s*(\d+)", raw).group(1))
                while len(raw) < raw.index(b"\r\n\r\n") + 4 + length:
                    raw += connection.recv(65536)
                self.requests.append(raw)
                body = json.dumps(ANSWER).encode()
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                   b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def close(self):
        self.socket.close()


def part_headers(raw: bytes):
    """Each part's header lines, from the raw request."""
    head, body = raw.split(b"\r\n\r\n", 1)
    boundary = re.search(rb"boundary=([^\r\n;]+)", head).group(1)
    parts = body.split(b"--" + boundary)[1:-1]
    return [part[2:part.index(b"\r\n\r\n")].split(b"\r\n") for part in parts]


def names_in(disposition: str):
    """(filename percent-decoded, filename* decoded or None) of a Content-Disposition value."""
    fallback = re.search(r'; filename="([^"]*)"', disposition).group(1)
    star = re.search(r"; filename\*=UTF-8''([^;\s]*)", disposition)
    return urllib.parse.unquote(fallback), urllib.parse.unquote(star.group(1)) if star else None


class FileNameOnTheWireTests(unittest.TestCase):
    def setUp(self):
        self.server = RawServer()
        self.addCleanup(self.server.close)

    def test_an_odd_file_name_goes_encoded_and_round_trips(self):
        Client(self.server.url).upload_batch([(ODD_NAME, b"\xff\xd8\xff"), ("plain.jpg", b"\xff\xd8\xff")], "a.b.c")
        raw = self.server.requests[0]
        self.assertNotIn(b"X-Injected", raw.split(b"\r\n\r\n", 1)[0])
        odd, plain = part_headers(raw)
        # Two header lines per part: no CR or LF of the name split the header or started another.
        self.assertEqual(2, len(odd), odd)
        self.assertEqual(b"Content-Type: application/octet-stream", odd[1])
        disposition = odd[0].decode("ascii")  # nothing but ASCII in the header
        self.assertNotRegex(disposition, r"[\r\n\x00-\x1f\x7f]")
        self.assertTrue(disposition.startswith('Content-Disposition: form-data; name="file"; filename="'), disposition)
        self.assertEqual((ODD_NAME, ODD_NAME), names_in(disposition))
        # A plain name goes as it is, without filename*.
        self.assertEqual([b'Content-Disposition: form-data; name="file"; filename="plain.jpg"',
                          b"Content-Type: application/octet-stream"], plain)


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request; the server's `seen` keeps (method, path, Authorization) of each. With `redirect_to` set
    on the server, the answer is a 302 there instead."""

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization")))
        if self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


class RecordingServer(http.server.ThreadingHTTPServer):
    def __init__(self, redirect_to=None):
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.seen, self.redirect_to = [], redirect_to
        self.url = "http://127.0.0.1:%d" % self.server_address[1]
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class RedirectTests(unittest.TestCase):
    def test_a_redirect_to_another_origin_does_not_carry_the_token(self):
        # 127.0.0.1 on another port is another origin.
        elsewhere = RecordingServer()
        self.addCleanup(elsewhere.close)
        gateway = RecordingServer(redirect_to=elsewhere.url)
        self.addCleanup(gateway.close)
        client = Client(gateway.url)
        client.status("h", "the.job.token")
        client.upload(("a.jpg", b"\xff\xd8\xff"), "the.job.token")
        self.assertEqual([("GET", "/status?hash=h", "Bearer the.job.token"), ("POST", "/upload", "Bearer the.job.token")],
                         gateway.seen)
        # Followed (a 302 turns the POST into a GET), but without the token.
        self.assertEqual([("GET", "/status?hash=h", None), ("GET", "/upload", None)], elsewhere.seen)


if __name__ == "__main__":
    unittest.main()
