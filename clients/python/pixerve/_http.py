"""HTTP/1.1 over http.client, one connection per request, with a deadline for the whole call: before each step that can
block (connect, each block of the body sent, the answer's head, each line or block of its body) the socket's timeout
is set to the time left, so a call ends by its deadline whatever the server does (a stream that stays silent, a
gateway that stops reading). A connection can also be aborted from another thread: that is how AsyncClient cancels."""
from __future__ import annotations

import contextvars
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Any, Dict, Iterable, Iterator, Optional, Tuple, Union

from .errors import PixerveError, PixerveNetworkError, PixerveTimeoutError

Body = Union[None, bytes, Iterable[bytes]]
_MAX_REDIRECTS = 5


class Call:
    """The connection a call has open, for a canceller in another thread: abort() shuts its socket, so a thread
    blocked reading or sending wakes with an error at once, and no later request of the call starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Optional[http.client.HTTPConnection] = None
        self._woken = threading.Event()
        self.aborted = False

    def attach(self, connection: Optional[http.client.HTTPConnection]) -> None:
        with self._lock:
            self._connection = connection
            if connection is not None and self.aborted:
                raise Aborted()

    def abort(self) -> None:
        with self._lock:
            self.aborted = True
            self._woken.set()
            sock = self._connection.sock if self._connection is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


    def sleep(self, seconds: float) -> None:
        """Sleeps, or raises Aborted as soon as the call is aborted."""
        if self._woken.wait(seconds):
            raise Aborted()


def sleep(seconds: float) -> None:
    """time.sleep, cut short by the current call's abort."""
    call = current_call.get()
    if call is None:
        time.sleep(seconds)
    else:
        call.sleep(seconds)


class Aborted(Exception):
    """The call was cancelled (AsyncClient): nobody waits for its result."""


# Set by AsyncClient in the thread that runs a call; None for a plain synchronous call.
current_call: "contextvars.ContextVar[Optional[Call]]" = contextvars.ContextVar("pixerve_call", default=None)


class Deadline:
    """A call's time limit: `operation` and its bound (None: no limit) for the PixerveTimeoutError it raises."""

    def __init__(self, operation: str, timeout: Optional[float]):
        self.operation, self.timeout = operation, timeout
        self.at = None if timeout is None else time.monotonic() + timeout

    def remaining(self) -> Optional[float]:
        """Seconds left, None without a limit; raises PixerveTimeoutError when none are left."""
        if self.at is None:
            return None
        left = self.at - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> PixerveTimeoutError:
        return PixerveTimeoutError(self.operation, self.timeout if self.timeout is not None else 0.0)


class _StopSending(Exception):
    pass


class _ReadsAnEarlyAnswer:
    """For a body the server may refuse before reading it (a bad token): when the server answers and closes while the
    body is still going out, the send breaks (EPIPE, ECONNRESET), but its answer is already here. Sending stops there
    and getresponse reads that answer; only when there is none does the send's error stand."""

    _send_error: Optional[OSError] = None

    def send(self, data):
        if self._send_error is not None:
            raise _StopSending()
        try:
            super().send(data)  # type: ignore[misc]
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as e:
            self._send_error = e
            raise _StopSending() from None

    def request(self, method, url, body=None, headers={}, **kwargs):
        try:
            super().request(method, url, body, headers, **kwargs)  # type: ignore[misc]
        except _StopSending:
            pass

    def getresponse(self):
        try:
            return super().getresponse()  # type: ignore[misc]
        except (OSError, http.client.HTTPException):
            if self._send_error is None:
                raise
            raise self._send_error from None


class _HTTPConnection(_ReadsAnEarlyAnswer, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_ReadsAnEarlyAnswer, http.client.HTTPSConnection):
    pass


def _origin(url: str) -> Tuple[str, str, Optional[int]]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


class Response:
    """An answer of 2xx (or 3xx not followed) whose body is still to be read; close() ends its connection."""

    def __init__(self, connection: http.client.HTTPConnection, response: http.client.HTTPResponse, deadline: Deadline,
                 url: str, call: Optional[Call]):
        self.connection, self.response, self.deadline, self.url, self._call = connection, response, deadline, url, call
        self.status = response.status
        self.headers = response.headers

    def _timed(self, read):
        _set_timeout(self.connection, self.deadline)
        try:
            return read()
        except socket.timeout:
            raise self.deadline.error() from None
        except (OSError, http.client.HTTPException) as e:
            if self._call is not None and self._call.aborted:
                raise Aborted() from None
            raise PixerveNetworkError(self.deadline.operation, self.url, e) from e

    def read(self) -> bytes:
        """The whole body, each block read within the time left."""
        blocks = []
        while True:
            block = self._timed(lambda: self.response.read(64 * 1024))
            if not block:
                return b"".join(blocks)
            blocks.append(block)

    def json(self) -> Any:
        return json.loads(self.read())

    def lines(self) -> Iterator[bytes]:
        """The body line by line (a server-sent event stream), each line read within the time left."""
        while True:
            line = self._timed(self.response.readline)
            if not line:
                return
            yield line

    def close(self) -> None:
        try:
            self.response.close()
        finally:
            self.connection.close()
            if self._call is not None:
                self._call.attach(None)

    def __enter__(self) -> "Response":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _set_timeout(connection: http.client.HTTPConnection, deadline: Deadline) -> None:
    if connection.sock is not None:
        connection.sock.settimeout(deadline.remaining())


def _timed_body(body: Iterable[bytes], connection: http.client.HTTPConnection, deadline: Deadline) -> Iterator[bytes]:
    """body's blocks, each sent within the time left."""
    for block in body:
        _set_timeout(connection, deadline)
        yield block


def request(method: str, url: str, token: Optional[str], deadline: Deadline, headers: Optional[Dict[str, str]] = None,
         body: Body = None, tls: Optional[ssl.SSLContext] = None) -> Response:
    """The answer to one request, redirects followed (a redirect to another origin goes without the token: the token
    is for the server it was given to). A status of 400 or more raises PixerveError with its problem details; no
    answer raises PixerveNetworkError; the deadline passing raises PixerveTimeoutError. Close what it returns."""
    call = current_call.get()
    first = url
    for _ in range(_MAX_REDIRECTS + 1):
        response = _send(method, url, token, deadline, headers or {}, body, tls, call)
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            keeps_body = response.status in (307, 308)
            if keeps_body and body is not None and not isinstance(body, bytes):
                return response  # a streamed body cannot be sent again: the caller sees the redirect
            response.close()
            target = urllib.parse.urljoin(url, location)
            if _origin(target) != _origin(first):
                token = None
            if not keeps_body and method not in ("GET", "HEAD"):
                # As browsers and urllib do: 301, 302 and 303 turn a POST into a GET without the body.
                method, body = "GET", None
                headers = {k: v for k, v in (headers or {}).items() if k.lower() not in ("content-type", "content-length")}
            url = target
            continue
        return response
    raise PixerveNetworkError(deadline.operation, first, http.client.HTTPException(f"more than {_MAX_REDIRECTS} redirects"))


def _send(method: str, url: str, token: Optional[str], deadline: Deadline, headers: Dict[str, str], body: Body,
          tls: Optional[ssl.SSLContext], call: Optional[Call]) -> Response:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"not an http or https URL: {url}")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _HTTPSConnection(parts.hostname or "", parts.port, timeout=deadline.remaining(), context=tls)
    else:
        connection = _HTTPConnection(parts.hostname or "", parts.port, timeout=deadline.remaining())
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    headers = dict(headers)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        if call is not None:
            call.attach(connection)
        connection.connect()
        if call is not None:
            call.attach(connection)  # now with its socket, which abort() shuts
        sent = body if body is None or isinstance(body, bytes) else _timed_body(body, connection, deadline)
        _set_timeout(connection, deadline)
        connection.request(method, target, sent, headers)
        _set_timeout(connection, deadline)
        response = connection.getresponse()
    except socket.timeout:
        connection.close()
        raise deadline.error() from None
    except PixerveTimeoutError:
        connection.close()
        raise
    except (OSError, http.client.HTTPException) as e:
        connection.close()
        if call is not None and call.aborted:
            raise Aborted() from None
        raise PixerveNetworkError(deadline.operation, url, e) from e
    answer = Response(connection, response, deadline, url, call)
    if response.status >= 400:
        with answer:
            raw = answer.read()
        try:
            problem = json.loads(raw) if raw else {}
            if not isinstance(problem, dict):
                problem = {"detail": raw.decode(errors="replace")}
        except ValueError:
            problem = {"detail": raw.decode(errors="replace")}
        raise PixerveError.from_problem(response.status, problem, response.headers.get("Retry-After"))
    return answer
