"""Streaming, timeouts, cancellation and the error taxonomy, against loopback servers of the test's own (no gateway
needed), where the server's side can be watched: when the request's head arrived, when the connection closed."""
import asyncio
import gc
import io
import json
import re
import socket
import threading
import time
import tracemalloc
import unittest
import warnings

from pixerve import (AsyncClient, Client, JobStatus, PixerveError, PixerveNetworkError, PixerveTimeoutError)

MB = 1024 * 1024
SOURCE_SIZE = 40 * MB


class CountingSource(io.RawIOBase):
    """A 40 MB binary file made up as it is read, counting what was read, in how many reads, the largest, and when."""

    name = "forty-megabytes.jpg"

    def __init__(self, size: int = SOURCE_SIZE):
        self.size, self.position, self.reads, self.largest = size, 0, 0, 0
        self.finished_at = None  # time.monotonic() when the last byte was read

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
        return self.position

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.position)
        buffer[:n] = b"\xff" * n
        self.position += n
        self.reads += 1
        self.largest = max(self.largest, n)
        if n and self.position == self.size:
            self.finished_at = time.monotonic()
        return n


class Server:
    """A loopback TCP server; each connection is handled by `handler(connection, record)` in a thread of its own.
    record is a dict the test reads: handlers put what they saw there; 'closed_at' is when the client closed."""

    def __init__(self, test: unittest.TestCase, handler):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.socket.getsockname()[1]
        self.records, self.handler = [], handler
        threading.Thread(target=self._serve, daemon=True).start()
        test.addCleanup(self.socket.close)

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            record = {}
            self.records.append(record)
            threading.Thread(target=self._handle, args=(connection, record), daemon=True).start()

    def _handle(self, connection, record):
        with connection:
            try:
                self.handler(connection, record)
            except OSError as e:
                record["error"] = e

    def wait_for(self, predicate, seconds=5.0):
        """Polls until predicate() holds, for at most `seconds`: whether it did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()


def read_head(connection) -> bytes:
    head = b""
    while b"\r\n\r\n" not in head:
        block = connection.recv(65536)
        if not block:
            break
        head += block
    return head


def until_closed(connection, record):
    """Reads and drops whatever comes until the client closes; notes when."""
    connection.settimeout(30)
    try:
        while connection.recv(65536):
            pass
    except OSError:
        pass
    record["closed_at"] = time.monotonic()


def answer(connection, status: str, body: dict, *extra_headers: str):
    data = json.dumps(body).encode()
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\nConnection: close\r\n"
    connection.sendall((head + "".join(h + "\r\n" for h in extra_headers) + "\r\n").encode() + data)


UPLOADED = {"hash": "h", "job_id": "j", "expected_files": ["h_a_400_400_.jpg"], "status": "pending"}


class StreamingTests(unittest.TestCase):
    def test_a_40_mb_file_is_on_the_wire_before_it_is_read_to_its_end(self):
        source = CountingSource()

        def handler(connection, record):
            head = read_head(connection)
            # The request's head is here: how much of the source had the client read by now?
            record["read_when_head_arrived"] = source.position
            # Then the server reads nothing for a while: a client that streams stops reading once the socket's
            # buffers are full (a few MB on loopback), far short of the file's end.
            time.sleep(0.5)
            record["read_while_held"] = source.position
            length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
            received = len(head) - head.index(b"\r\n\r\n") - 4
            while received < length:
                block = connection.recv(1 << 20)
                if not block:
                    break
                received += len(block)
            record["received"] = received
            answer(connection, "200 OK", UPLOADED)

        server = Server(self, handler)
        tracemalloc.start()
        try:
            job = Client(server.url).upload(source, "a.b.c")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual("h", job.hash)
        record = server.records[0]
        self.assertLess(record["read_when_head_arrived"], SOURCE_SIZE, "the client read the file before the request began")
        self.assertLess(record["read_while_held"], 16 * MB, "the client read on while the server took nothing")
        self.assertEqual(SOURCE_SIZE, source.position)
        self.assertGreater(record["received"], SOURCE_SIZE)
        self.assertLessEqual(source.largest, 64 * 1024)
        self.assertGreaterEqual(source.reads, SOURCE_SIZE // (64 * 1024))
        self.assertLess(peak, 8 * MB, f"{peak} bytes allocated at the peak of a {SOURCE_SIZE} byte upload")
        self.assertFalse(source.closed, "the caller's file is the caller's to close")

    def test_files_the_client_opens_are_closed_however_the_upload_ends(self):
        with open(__file__, "rb") as f:
            size = len(f.read())

        def refuses_early(connection, record):
            read_head(connection)
            answer(connection, "401 Unauthorized", {"status": 401, "title": "Unauthorized", "detail": "bad signature"})

        def accepts(connection, record):
            head = read_head(connection)
            length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
            received = len(head) - head.index(b"\r\n\r\n") - 4
            while received < length:
                received += len(connection.recv(65536))
            answer(connection, "200 OK", UPLOADED)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            client = Client(Server(self, accepts).url)
            client.upload(__file__, "a.b.c")
            client.upload_batch([__file__, __file__], "a.b.c")
            with self.assertRaises(PixerveError):
                Client(Server(self, refuses_early).url).upload(__file__, "a.b.c")
            with self.assertRaises(PixerveNetworkError):
                Client(closed_port_url()).upload(__file__, "a.b.c")
            gc.collect()
        leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
        self.assertEqual([], leaks)
        self.assertGreater(size, 0)


def closed_port_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return "http://127.0.0.1:%d" % s.getsockname()[1]


def silent_event_stream(connection, record):
    """Answers /events with a stream's head and then nothing, as for a job that stays pending; waits for the close."""
    read_head(connection)
    record["opened_at"] = time.monotonic()
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
    until_closed(connection, record)


def never_answers(connection, record):
    """Takes the request's head and then reads nothing more: a client sending a body blocks once buffers fill."""
    read_head(connection)
    record["opened_at"] = time.monotonic()
    time.sleep(10)
    record["closed_at"] = time.monotonic()


class TimeoutTests(unittest.TestCase):
    def test_wait_until_final_times_out_and_closes_its_stream(self):
        server = Server(self, silent_event_stream)
        started = time.monotonic()
        with self.assertRaises(PixerveTimeoutError) as caught:
            Client(server.url).wait_until_final("h", "a.b.c", timeout=1)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 2.0)
        self.assertGreaterEqual(elapsed, 0.9)
        self.assertEqual(("wait_until_final", 1), (caught.exception.operation, caught.exception.timeout))
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertTrue(server.wait_for(lambda: "closed_at" in server.records[0], 2), "the stream was left open")

    def test_an_upload_whose_body_the_server_stops_reading_times_out(self):
        server = Server(self, never_answers)
        started = time.monotonic()
        with self.assertRaises(PixerveTimeoutError):
            Client(server.url).upload(CountingSource(), "a.b.c", timeout=1)
        self.assertLess(time.monotonic() - started, 2.0)

    def test_the_clients_timeout_bounds_each_call_and_a_call_may_set_its_own(self):
        server = Server(self, never_answers)
        client = Client(server.url, timeout=0.5)
        for call, bound in ((lambda: client.status("h", "a.b.c"), 0.5),
                            (lambda: client.success("h", "a.b.c", timeout=1.0), 1.0)):
            started = time.monotonic()
            with self.assertRaises(PixerveTimeoutError):
                call()
            self.assertTrue(bound - 0.1 <= time.monotonic() - started < bound + 1, time.monotonic() - started)

    def test_async_wait_until_final_times_out_and_closes_its_stream(self):
        server = Server(self, silent_event_stream)

        async def main():
            started = time.monotonic()
            with self.assertRaises(PixerveTimeoutError):
                await AsyncClient(server.url).wait_until_final("h", "a.b.c", timeout=1)
            return time.monotonic() - started

        self.assertLess(asyncio.run(main()), 2.0)
        self.assertTrue(server.wait_for(lambda: "closed_at" in server.records[0], 2), "the stream was left open")

    def test_cancelling_the_task_closes_the_request_at_once(self):
        server = Server(self, silent_event_stream)

        async def main():
            client = AsyncClient(server.url)
            with self.assertRaises(asyncio.TimeoutError):
                await asyncio.wait_for(client.wait_until_final("h", "a.b.c", timeout=None), 0.5)
            cancelled = time.monotonic()
            with self.assertRaises(asyncio.TimeoutError):
                async def first_event():
                    async for event in client.events("h", "a.b.c"):
                        return event
                await asyncio.wait_for(first_event(), 0.5)
            return cancelled

        cancelled = asyncio.run(main())
        self.assertTrue(server.wait_for(lambda: len(server.records) == 2 and all("closed_at" in r for r in server.records), 2),
                        server.records)
        self.assertLess(server.records[0]["closed_at"] - cancelled, 0.5)


class ErrorTests(unittest.TestCase):
    def test_no_answer_is_a_network_error_wrapping_its_cause(self):
        url = closed_port_url()
        with self.assertRaises(PixerveNetworkError) as caught:
            Client(url).status("h", "a.b.c")
        self.assertIsInstance(caught.exception.cause, ConnectionRefusedError)
        self.assertIs(caught.exception.cause, caught.exception.__cause__)
        self.assertEqual("status", caught.exception.operation)

        async def main():
            with self.assertRaises(PixerveNetworkError):
                await AsyncClient(url).status("h", "a.b.c")

        asyncio.run(main())

    def test_a_problem_carries_its_members_and_retry_after(self):
        problem = {"type": "https://tools.ietf.org/html/rfc6585#section-4", "title": "Too Many Requests", "status": 429,
                   "detail": "too many uploads: try again in 7 s", "trace_id": "00-ab-cd-00", "limit": "per-ip"}

        def limited(connection, record):
            read_head(connection)
            answer(connection, "429 Too Many Requests", problem, "Retry-After: 7")

        with self.assertRaises(PixerveError) as caught:
            Client(Server(self, limited).url).upload(("a.jpg", b"\xff\xd8\xff"), "a.b.c")
        e = caught.exception
        self.assertEqual((429, "Too Many Requests", "too many uploads: try again in 7 s", problem["type"], 7.0, "00-ab-cd-00"),
                         (e.status, e.title, e.detail, e.type, e.retry_after, e.trace_id))
        self.assertEqual("per-ip", e.problem["limit"])

    def test_an_answer_that_is_not_problem_details_is_still_a_pixerve_error(self):
        def plain(connection, record):
            read_head(connection)
            connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 11\r\nConnection: close\r\n\r\nupstream!!!")

        with self.assertRaises(PixerveError) as caught:
            Client(Server(self, plain).url).status("h", "a.b.c")
        self.assertEqual((502, "upstream!!!"), (caught.exception.status, caught.exception.detail))


class ModelTests(unittest.TestCase):
    def test_a_status_is_typed(self):
        raw = {"hash": "h", "job_id": "j", "status": "completed", "priority": 5,
               "created_at": "2026-11-25T20:39:02.7471811+00:00", "updated_at": "2026-11-25T20:39:03Z",
               "started_at": "2026-11-25T20:39:02.8166971+00:00", "finished_at": "2026-11-25T21:39:03.2407436+01:00",
               "attempts": 2, "retries": 1, "expected_files": ["h_b.webp", "h_a.jpg"], "files": [],
               "error": None, "webhook": {"status": "delivered", "attempts": 3, "last_status_code": 204, "last_error": None,
                                          "delivered_at": "2026-11-25T20:39:03.4856667+00:00"},
               "outputs": [{"name": "h_b.webp", "format": "webp", "width": 8, "height": 6, "bytes": 10,
                            "locations": [{"backend": "direct", "location": "/files/h_b.webp"}]},
                           {"name": "h_a.jpg", "format": "jpg", "width": 4, "height": 3, "bytes": 9, "locations": []}],
               "outputs_done": 2, "outputs_total": 2, "a_member_of_a_newer_server": True}
        status = JobStatus.from_json(raw)
        self.assertEqual("2026-11-25T20:39:02.747181+00:00", status.created_at.isoformat())
        self.assertEqual("2026-11-25T20:39:03+00:00", status.updated_at.isoformat())
        self.assertEqual(status.finished_at.timestamp(), status.updated_at.timestamp() + 0.2407436 - 0.0000006)
        self.assertEqual((2, 1, True), (status.attempts, status.retries, status.is_final))
        self.assertEqual(("delivered", 3, 204), (status.webhook.status, status.webhook.attempts, status.webhook.last_status_code))
        self.assertEqual(485666, status.webhook.delivered_at.microsecond)
        self.assertEqual(["h_b.webp", "h_a.jpg"], [o.name for o in status.outputs])  # as sent, not sorted
        self.assertTrue(status.raw["a_member_of_a_newer_server"])


if __name__ == "__main__":
    unittest.main()
