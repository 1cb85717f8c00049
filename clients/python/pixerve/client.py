from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import mimetypes
import os
import ssl
import time
import urllib.parse
import uuid
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import _http
from ._http import Deadline
from .errors import PixerveError, PixerveNetworkError, PixerveTimeoutError
from .models import (BatchUploadResponse, Event, JobRecord, JobStatus, OutputDone, SourceEvent, UploadResponse)

FINAL_STATUSES = ("completed", "failed", "cancelled")
# Every job status: the event types of /events that are states (its progress events, source and output_done, are not).
STATUSES = ("pending", "processing") + FINAL_STATUSES
PathArg = Union[str, "os.PathLike[str]"]
# A file to upload: a path (opened, streamed and closed by the client), an open binary file (streamed from where it
# stands, left open: it is the caller's), or (name, bytes or binary file).
FileArg = Union[PathArg, IO[bytes], Tuple[str, Union[bytes, bytearray, memoryview, IO[bytes]]]]
BLOCK = 64 * 1024
# A call's timeout when it names none: the Client's. (None is taken: it means no limit, as for sockets.)
DEFAULT_TIMEOUT: Any = object()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(secret: str, job: Dict[str, Any], ttl_seconds: int = 600, sub: Optional[str] = None) -> str:
    """An HS256 job token whose `job` claim is `job`, valid for `ttl_seconds`. Mint tokens on your server: the secret
    never goes to a browser or an app."""
    now = int(time.time())
    claims: Dict[str, Any] = {"job": job, "iat": now, "exp": now + ttl_seconds}
    if sub:
        claims["sub"] = sub
    unsigned = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + _b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), unsigned.encode(), hashlib.sha256).digest()
    return unsigned + "." + _b64(signature)


# In a part's filename="…", printable ASCII stays as it is except '"', '%' and '\\'; every other byte of the name's
# UTF-8 (CR and LF among them) is percent-encoded (RFC 7578 §4.2). In filename*=UTF-8''… (RFC 8187) only attr-chars stay.
_FILENAME_KEEP = frozenset(range(0x20, 0x7F)) - frozenset(b'"%\\')
_ATTR_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")


def _percent_encoded(raw: bytes, keep: frozenset) -> str:
    return "".join(chr(b) if b in keep else f"%{b:02X}" for b in raw)


def _file_disposition(name: str) -> str:
    """The file part's Content-Disposition. The name never goes into the header raw: a name that is not plain printable
    ASCII is percent-encoded in filename and sent exactly in filename*, which the gateway reads first."""
    raw = name.encode("utf-8", "surrogateescape")
    fallback = _percent_encoded(raw, _FILENAME_KEEP)
    disposition = f'form-data; name="file"; filename="{fallback}"'
    return disposition if fallback == name else disposition + "; filename*=UTF-8''" + _percent_encoded(raw, _ATTR_CHARS)


def _stream_size(stream: IO[bytes]) -> int:
    """The bytes left in an open binary file, from where it stands: the Content-Length it needs."""
    try:
        return os.fstat(stream.fileno()).st_size - stream.tell()
    except (AttributeError, OSError, io.UnsupportedOperation):
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here


def _blocks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """size bytes of stream in blocks of at most BLOCK, read as they are sent: never the whole file in memory."""
    left = size
    while left > 0:
        block = stream.read(min(BLOCK, left))
        if not block:
            raise ValueError(f"the file ended {left} bytes before the {size} it had when the upload began")
        left -= len(block)
        yield block


class Client:
    """The job-token side of the API, synchronous. Every call takes `timeout` (seconds, None for no limit; the
    client's when left out): the whole call (connect, send, answer) ends by then with PixerveTimeoutError. A refusal
    raises PixerveError with the problem details, no answer PixerveNetworkError. Each call uses a connection of its
    own, so one Client may be shared by threads."""

    def __init__(self, base_url: str, timeout: Optional[float] = 60.0, *, ssl_context: Optional[ssl.SSLContext] = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.ssl_context = ssl_context

    # -- uploads -------------------------------------------------------------------------------------------
    def upload(self, file: FileArg, token: str, *, form_token: bool = False, timeout: Optional[float] = DEFAULT_TIMEOUT) -> UploadResponse:
        """One image, streamed from disk: hash, job_id, expected_files, status. form_token sends the token as the
        upload page's form field instead of the Authorization header."""
        return UploadResponse.from_json(self._upload("upload", [file], token, form_token, timeout))

    def upload_batch(self, files: Iterable[FileArg], token: str, *, timeout: Optional[float] = DEFAULT_TIMEOUT) -> BatchUploadResponse:
        """Several images, one job each: an entry per file in order, a job or the problem that refused that file."""
        return BatchUploadResponse.from_json(self._upload("upload_batch", list(files), token, False, timeout))

    def _upload(self, operation: str, files: List[FileArg], token: str, form_token: bool, timeout: Any) -> Any:
        deadline = Deadline(operation, self._timeout(timeout))
        boundary = "pixerve-" + uuid.uuid4().hex
        with contextlib.ExitStack() as opened:  # the files this call opens, closed however it ends
            # The body as pieces: bytes, and (stream, size) read in blocks as they are sent.
            pieces: List[Union[bytes, Tuple[IO[bytes], int]]] = []
            if form_token:
                pieces.append(f'--{boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n{token}\r\n'.encode())
            for file in files:
                name, content = self._named(file, opened)
                pieces.append(f"--{boundary}\r\nContent-Disposition: {_file_disposition(name)}\r\n"
                              f"Content-Type: application/octet-stream\r\n\r\n".encode())
                pieces += [content, b"\r\n"]
            pieces.append(f"--{boundary}--\r\n".encode())
            length = sum(len(p) if isinstance(p, bytes) else p[1] for p in pieces)

            def body() -> Iterator[bytes]:
                for piece in pieces:
                    if isinstance(piece, bytes):
                        yield piece
                    else:
                        yield from _blocks(*piece)

            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)}
            with _http.request("POST", self.base_url + "/upload", None if form_token else token, deadline, headers,
                               body(), self.ssl_context) as response:
                return response.json()

    @staticmethod
    def _named(file: FileArg, opened: contextlib.ExitStack) -> Tuple[str, Union[bytes, Tuple[IO[bytes], int]]]:
        if isinstance(file, tuple):
            name, content = file
            if isinstance(content, (bytes, bytearray, memoryview)):
                return name, bytes(content)
            return name, (content, _stream_size(content))
        if isinstance(file, (str, os.PathLike)):
            stream = opened.enter_context(open(file, "rb"))
            return os.path.basename(os.fspath(file)), (stream, _stream_size(stream))
        name = os.path.basename(str(getattr(file, "name", "") or "")) or "upload"
        return name, (file, _stream_size(file))

    def upload_resumable(self, path: PathArg, token: str, *, chunk_size: int = 4 * 1024 * 1024,
                         on_progress: Optional[Callable[[int, int], None]] = None, upload_url: Optional[str] = None,
                         on_upload_url: Optional[Callable[[str], None]] = None, max_retries: int = 5,
                         retry_delays: Tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0),
                         timeout: Optional[float] = DEFAULT_TIMEOUT) -> UploadResponse:
        """One image over tus 1.0 (POST /uploads, then PATCH after PATCH of at most chunk_size bytes, each streamed
        from the file): hash, job_id, expected_files, status, from the Pixerve-* headers of the answer that brought
        the last byte. on_progress(bytes_sent, bytes_total) follows the bytes as they go out (back to the server's
        offset after a drop). When a connection drops, a request outlives `timeout` (here the bound of EACH request:
        a large file may take longer in all), or the gateway answers 409, 423 or 5xx, the client asks the gateway for
        its offset (HEAD) and goes on from there, up to max_retries times in a row without progress. on_upload_url
        gets the upload's URL once it exists; give it back as upload_url (with the same file and a token of the same
        sub and job claim) to go on with an upload an earlier call left unfinished."""
        bound = self._timeout(timeout)

        def tus(method: str, url: str, headers: Optional[Dict[str, str]] = None, body: Any = None):
            with _http.request(method, url, token, Deadline("upload_resumable", bound),
                               {"Tus-Resumable": "1.0.0", **(headers or {})}, body, self.ssl_context) as response:
                return response.status, response.headers, response.read()

        size = os.stat(path).st_size
        if upload_url is None:
            name = os.path.basename(os.fspath(path))
            metadata = "filename " + base64.b64encode(name.encode("utf-8", "surrogateescape")).decode()
            filetype = mimetypes.guess_type(name)[0]
            if filetype:
                metadata += ",filetype " + base64.b64encode(filetype.encode()).decode()
            status, answer, _ = tus("POST", self.base_url + "/uploads",
                                    {"Upload-Length": str(size), "Upload-Metadata": metadata, "Content-Length": "0"})
            location = answer.get("Location")
            if not location:
                raise PixerveError(status, "no Location", "the gateway created an upload without a Location")
            upload_url = urllib.parse.urljoin(self.base_url + "/uploads", location)
            offset = int(answer.get("Upload-Offset") or 0)
            if on_upload_url:
                on_upload_url(upload_url)
        else:
            _, answer, _ = tus("HEAD", upload_url)
            if int(answer.get("Upload-Length") or -1) != size:
                raise ValueError(f"{upload_url} is an upload of {answer.get('Upload-Length')} bytes, not of {size}")
            offset = int(answer["Upload-Offset"])
        if on_progress:
            on_progress(offset, size)
        failures, best = 0, offset  # best: the most the gateway has said it holds; failures: in a row since it grew
        with open(path, "rb") as f:
            while offset < size:
                length = min(chunk_size, size - offset)
                try:
                    status, patched, _ = tus("PATCH", upload_url, {
                        "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
                        "Content-Length": str(length)}, _chunk(f, offset, length, size, on_progress))
                except (PixerveError, PixerveNetworkError, PixerveTimeoutError) as e:
                    if isinstance(e, PixerveError) and not (e.status in (409, 423) or e.status >= 500):
                        raise
                    failures += 1
                    if failures > max_retries:
                        raise
                    _http.sleep(retry_delays[min(failures, len(retry_delays)) - 1])
                    try:
                        _, head, _ = tus("HEAD", upload_url)
                    except (PixerveNetworkError, PixerveTimeoutError):
                        continue  # still unreachable: counts as the next failure
                    now = int(head["Upload-Offset"])
                    if isinstance(e, PixerveError) and e.status == 409 and now == offset:
                        raise  # not an offset that moved: the gateway refused the upload's last bytes
                    if now > best:
                        failures, best = 0, now
                    offset, answer = now, head
                    if on_progress:
                        on_progress(offset, size)
                    continue
                now = int(patched["Upload-Offset"])
                if not offset < now <= size:
                    raise PixerveError(status, "bad Upload-Offset",
                                       f"PATCH at {offset} answered Upload-Offset {now} (the upload has {size} bytes)")
                offset, answer = now, patched
                if now > best:
                    failures, best = 0, now
        if answer.get("Pixerve-Hash"):
            return UploadResponse.from_json({
                "hash": answer["Pixerve-Hash"], "job_id": answer["Pixerve-Job-Id"], "status": answer["Pixerve-Status"],
                "expected_files": [n for n in (answer.get("Pixerve-Expected-Files") or "").split(",") if n]})
        # Complete, but the answer that said so carried no job (an upload found complete before any byte was sent).
        return UploadResponse.from_json(json.loads(tus("GET", upload_url)[2]))

    # -- a job: by hash, or by job_id=… (pass None as hash) -------------------------------------------------
    def status(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
               timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobStatus:
        return JobStatus.from_json(self._json("GET", "/status", hash, job_id, token, Deadline("status", self._timeout(timeout))))

    def cancel(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
               timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobStatus:
        """Cancels a pending job; a job that is not pending is a PixerveError with status 409."""
        return JobStatus.from_json(self._json("DELETE", "/cancel", hash, job_id, token, Deadline("cancel", self._timeout(timeout))))

    def retry(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
              timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobStatus:
        """Runs a failed job again from its original; a job that is not failed is a PixerveError with status 409."""
        return JobStatus.from_json(self._json("POST", "/retry", hash, job_id, token, Deadline("retry", self._timeout(timeout))))

    def success(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobRecord:
        return JobRecord.from_json(self._json("GET", "/success", hash, job_id, token, Deadline("success", self._timeout(timeout))))

    def failures(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                 timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobRecord:
        return JobRecord.from_json(self._json("GET", "/failures", hash, job_id, token, Deadline("failures", self._timeout(timeout))))

    def wait_until_final(self, hash: Optional[str], token: str, timeout: Optional[float] = 300.0, *,
                         job_id: Optional[str] = None) -> JobStatus:
        """The job's status once completed, failed or cancelled, from the server-sent events of /events (polling
        /status with backoff if the stream breaks or is refused). After `timeout` seconds: PixerveTimeoutError, and
        the stream is closed."""
        deadline = Deadline("wait_until_final", timeout)
        try:
            for event in self._events(hash, job_id, token, deadline):
                if isinstance(event, JobStatus) and event.is_final:
                    return event
        except PixerveNetworkError:
            pass  # the stream broke: polling takes over
        except PixerveError as e:
            if e.status not in (429, 503):  # too many streams open, or the cluster away for a moment: poll
                raise
        delay = 0.2
        while True:
            current = JobStatus.from_json(self._json("GET", "/status", hash, job_id, token, deadline))
            if current.is_final:
                return current
            left = deadline.remaining()
            _http.sleep(delay if left is None else min(delay, left))
            delay = min(delay * 2, 5.0)

    def events(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
               timeout: Optional[float] = None) -> Iterator[Event]:
        """The job's events as the gateway streams them: each state (JobStatus), the source once described
        (SourceEvent) and each output made (OutputDone, in expected_files order); ends after a final state. timeout
        bounds the whole stream (None: as long as it lasts). Close the iterator to close the stream early."""
        return self._events(hash, job_id, token, Deadline("events", timeout))

    def _events(self, hash: Optional[str], job_id: Optional[str], token: str, deadline: Deadline) -> Iterator[Event]:
        with _http.request("GET", self.base_url + "/events" + _query(hash, job_id), token, deadline,
                           {"Accept": "text/event-stream"}, None, self.ssl_context) as response:
            data: List[str] = []
            event_type: Optional[str] = None
            for raw in response.lines():
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    event_type = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:][1:] if line[5:].startswith(" ") else line[5:])
                elif line == "" and data:
                    payload = json.loads("\n".join(data))
                    data, kind, event_type = [], event_type, None
                    if kind is None or kind in STATUSES:
                        state = JobStatus.from_json(payload)
                        yield state
                        if state.is_final:
                            return
                    elif kind == "source":
                        yield SourceEvent.from_json(payload)
                    elif kind == "output_done":
                        yield OutputDone.from_json(payload)
                    # Other event types are a newer server's: skipped.

    # -- files ---------------------------------------------------------------------------------------------
    def download(self, sub_dir: str, name: str, *, timeout: Optional[float] = DEFAULT_TIMEOUT) -> bytes:
        """A directHost output, served at /files/{subDir}/{name}."""
        path = "/files/" + "/".join(urllib.parse.quote(p) for p in f"{sub_dir.strip('/')}/{name}".strip("/").split("/"))
        with _http.request("GET", self.base_url + path, None, Deadline("download", self._timeout(timeout)),
                           None, None, self.ssl_context) as response:
            return response.read()

    # -- plumbing ------------------------------------------------------------------------------------------
    def _timeout(self, timeout: Any) -> Optional[float]:
        return self.timeout if timeout is DEFAULT_TIMEOUT else timeout

    def _json(self, method: str, path: str, hash: Optional[str], job_id: Optional[str], token: str,
              deadline: Deadline) -> Any:
        with _http.request(method, self.base_url + path + _query(hash, job_id), token, deadline, None, None,
                           self.ssl_context) as response:
            return response.json()


def _query(hash: Optional[str], job_id: Optional[str]) -> str:
    if not (hash or job_id):
        raise ValueError("name the job by its hash or job_id")
    params = {k: v for k, v in (("hash", hash), ("job_id", job_id)) if v}
    return "?" + urllib.parse.urlencode(params)


def _chunk(f: IO[bytes], offset: int, length: int, size: int,
           on_progress: Optional[Callable[[int, int], None]]) -> Iterator[bytes]:
    """length bytes of f from offset, in blocks, each reported to on_progress as it goes."""
    f.seek(offset)
    for block in _blocks(f, length):
        yield block
        offset += len(block)
        if on_progress:
            on_progress(offset, size)
