from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import mimetypes
import os
import pathlib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple, Union

from .models import BatchUploadResponse, JobRecord, StatusResponse, UploadResponse

FINAL_STATUSES = ("completed", "failed", "cancelled")
# Every job status: the event types of /events that are states (its progress events, source and output_done, are not).
STATUSES = ("pending", "processing") + FINAL_STATUSES
FileArg = Union[str, "os.PathLike[str]", Tuple[str, bytes]]


class PixerveError(Exception):
    """A refusal: the problem details (RFC 9457) the gateway answered."""

    def __init__(self, status: int, title: Optional[str], detail: Optional[str], field: Optional[str], problem: Dict[str, Any]):
        super().__init__(f"{status} {title or ''}: {detail or ''}" + (f" (field {field})" if field else ""))
        self.status, self.title, self.detail, self.field, self.problem = status, title, detail, field, problem


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(secret: str, job: Dict[str, Any], ttl_seconds: int = 600, sub: Optional[str] = None) -> str:
    """An HS256 job token whose `job` claim is `job`, valid for `ttl_seconds`."""
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


def _origin(url: str) -> Tuple[str, str, Optional[int]]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


class _KeepTokenToItsOrigin(urllib.request.HTTPRedirectHandler):
    """Follows redirects as urllib does, but a redirect to another origin (scheme, host, port) goes without the
    Authorization header: the token is for the gateway it was given to, not for wherever a redirect points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        redirected = super().redirect_request(req, fp, code, msg, headers, newurl)
        if redirected is not None and _origin(redirected.full_url) != _origin(req.full_url):
            redirected.remove_header("Authorization")
        return redirected


class _StopSending(Exception):
    pass


class _ReadsAnEarlyAnswer:
    """An http.client connection for a body the server may refuse before reading it (a bad token): when the server
    answers and closes while the body is still going out, the send breaks (EPIPE, ECONNRESET), but its answer is
    already here. Sending stops there and getresponse reads that answer; only when there is none does the send's
    error stand."""

    _send_error: Optional[OSError] = None

    def send(self, data):
        if self._send_error is not None:
            raise _StopSending()
        try:
            super().send(data)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as e:
            self._send_error = e
            raise _StopSending() from None

    def request(self, method, url, body=None, headers={}, **kwargs):
        try:
            super().request(method, url, body, headers, **kwargs)
        except _StopSending:
            pass

    def getresponse(self):
        try:
            return super().getresponse()
        except (OSError, http.client.HTTPException):
            if self._send_error is None:
                raise
            raise self._send_error from None


class _HTTPConnection(_ReadsAnEarlyAnswer, http.client.HTTPConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


_handlers: list = [_KeepTokenToItsOrigin, _HTTPHandler]
if hasattr(http.client, "HTTPSConnection"):
    class _HTTPSConnection(_ReadsAnEarlyAnswer, http.client.HTTPSConnection):
        pass

    class _HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):
            return self.do_open(_HTTPSConnection, req, context=self._context)

    _handlers.append(_HTTPSHandler)


class Client:
    """The job-token side of the API. Answers are the gateway's JSON as dicts (snake_case, as in the document), typed
    by the TypedDicts of pixerve.models: a finished job's status carries `source` (SourceInfo) and `outputs` (JobOutput)."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(*_handlers)

    # -- uploads -------------------------------------------------------------------------------------------
    def upload(self, file: FileArg, token: str, form_token: bool = False) -> UploadResponse:
        """One image: {hash, job_id, expected_files, status}. form_token sends the token as the seed's form field."""
        return self._upload([file], token, form_token)

    def upload_batch(self, files: Iterable[FileArg], token: str) -> BatchUploadResponse:
        """Several images, one job each: {jobs: [{file, hash, job_id, expected_files, status} | {file, error}]}."""
        return self._upload(list(files), token, False)

    def _upload(self, files: list, token: str, form_token: bool) -> Any:
        boundary = "pixerve-" + uuid.uuid4().hex
        # The body as pieces: bytes, and each file given by path as its Path, read in blocks as it is sent.
        pieces: list = []
        if form_token:
            pieces.append(f'--{boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n{token}\r\n'.encode())
        for file in files:
            if isinstance(file, tuple):
                name, data = file[0], file[1] if isinstance(file[1], bytes) else bytes(memoryview(file[1]))
            else:
                name, data = os.path.basename(os.fspath(file)), pathlib.Path(file)
            pieces.append(f"--{boundary}\r\nContent-Disposition: {_file_disposition(name)}\r\n"
                          f"Content-Type: application/octet-stream\r\n\r\n".encode())
            pieces += [data, b"\r\n"]
        pieces.append(f"--{boundary}--\r\n".encode())
        length = sum(p.stat().st_size if isinstance(p, pathlib.Path) else len(p) for p in pieces)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)}
        return self._json("POST", "/upload", None if form_token else token, _stream(pieces), headers)

    def upload_resumable(self, path: Union[str, "os.PathLike[str]"], token: str, chunk_size: int = 4 * 1024 * 1024,
                         on_progress: Optional[Callable[[int, int], None]] = None, upload_url: Optional[str] = None,
                         on_upload_url: Optional[Callable[[str], None]] = None, max_retries: int = 5,
                         retry_delays: Tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)) -> UploadResponse:
        """One image over tus 1.0 (POST /uploads, then PATCH after PATCH of at most chunk_size bytes, each streamed
        from the file): {hash, job_id, expected_files, status}, from the Pixerve-* headers of the answer that brought
        the last byte. on_progress(bytes_sent, bytes_total) follows the bytes as they go out (back to the server's
        offset after a drop). When a connection drops (or the gateway answers 409, 423 or 5xx), the client asks the
        gateway for its offset (HEAD) and goes on from there, up to max_retries times in a row without progress.
        on_upload_url gets the upload's URL once it exists; give it back as upload_url (with the same file and a token
        of the same sub and job claim) to go on with an upload an earlier call left unfinished."""
        size = os.stat(path).st_size
        if upload_url is None:
            name = os.path.basename(os.fspath(path))
            metadata = "filename " + base64.b64encode(name.encode("utf-8", "surrogateescape")).decode()
            filetype = mimetypes.guess_type(name)[0]
            if filetype:
                metadata += ",filetype " + base64.b64encode(filetype.encode()).decode()
            created = self._tus("POST", self.base_url + "/uploads", token,
                                {"Upload-Length": str(size), "Upload-Metadata": metadata})
            location = created.headers.get("Location")
            if not location:
                raise PixerveError(created.status, "no Location", "the gateway created an upload without a Location", None, {})
            upload_url = urllib.parse.urljoin(self.base_url + "/uploads", location)
            offset = int(created.headers.get("Upload-Offset") or 0)
            if on_upload_url:
                on_upload_url(upload_url)
            answer = created.headers
        else:
            head = self._tus("HEAD", upload_url, token)
            if int(head.headers.get("Upload-Length") or -1) != size:
                raise ValueError(f"{upload_url} is an upload of {head.headers.get('Upload-Length')} bytes, not of {size}")
            offset, answer = int(head.headers["Upload-Offset"]), head.headers
        if on_progress:
            on_progress(offset, size)
        failures, best = 0, offset  # best: the most the gateway has said it holds; failures: in a row since it grew
        with open(path, "rb") as f:
            while offset < size:
                length = min(chunk_size, size - offset)
                try:
                    patched = self._tus("PATCH", upload_url, token, {
                        "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
                        "Content-Length": str(length)}, _chunk(f, offset, length, size, on_progress))
                except (PixerveError, OSError, http.client.HTTPException) as e:
                    if isinstance(e, PixerveError) and not (e.status in (409, 423) or e.status >= 500):
                        raise
                    failures += 1
                    if failures > max_retries:
                        raise
                    time.sleep(retry_delays[min(failures, len(retry_delays)) - 1])
                    try:
                        head = self._tus("HEAD", upload_url, token)
                    except (OSError, http.client.HTTPException):
                        continue  # still unreachable: counts as the next failure
                    now = int(head.headers["Upload-Offset"])
                    if isinstance(e, PixerveError) and e.status == 409 and now == offset:
                        raise  # not an offset that moved: the gateway refused the upload's last bytes
                    if now > best:
                        failures, best = 0, now
                    offset, answer = now, head.headers
                    if on_progress:
                        on_progress(offset, size)
                    continue
                now = int(patched.headers["Upload-Offset"])
                if not offset < now <= size:
                    raise PixerveError(patched.status, "bad Upload-Offset",
                                       f"PATCH at {offset} answered Upload-Offset {now} (the upload has {size} bytes)", None, {})
                offset, answer = now, patched.headers
                if now > best:
                    failures, best = 0, now
        if answer.get("Pixerve-Hash"):
            return {"hash": answer["Pixerve-Hash"], "job_id": answer["Pixerve-Job-Id"], "status": answer["Pixerve-Status"],
                    "expected_files": [n for n in (answer.get("Pixerve-Expected-Files") or "").split(",") if n]}
        # Complete, but the answer that said so carried no job (an upload found complete before any byte was sent).
        return json.loads(self._tus("GET", upload_url, token).body)

    def _tus(self, method: str, url: str, token: str, headers: Optional[Dict[str, str]] = None, body: Any = None):
        """A tus request to an absolute URL: the response, closed, its body read into .body; a refusal raises."""
        request = urllib.request.Request(url, data=body, method=method, headers={"Tus-Resumable": "1.0.0", **(headers or {})})
        request.add_header("Authorization", f"Bearer {token}")
        with self._open(request, self.timeout) as response:
            response.body = response.read()
            return response

    # -- a job ---------------------------------------------------------------------------------------------
    def status(self, token: str, hash: Optional[str] = None, job_id: Optional[str] = None) -> StatusResponse:
        return self._json("GET", "/status" + self._query(hash, job_id), token)

    def cancel(self, token: str, hash: Optional[str] = None, job_id: Optional[str] = None) -> StatusResponse:
        """Cancels a pending job; a job that is not pending is a PixerveError with status 409."""
        return self._json("DELETE", "/cancel" + self._query(hash, job_id), token)

    def success(self, token: str, hash: Optional[str] = None, job_id: Optional[str] = None) -> JobRecord:
        return self._json("GET", "/success" + self._query(hash, job_id), token)

    def failures(self, token: str, hash: Optional[str] = None, job_id: Optional[str] = None) -> JobRecord:
        return self._json("GET", "/failures" + self._query(hash, job_id), token)

    def wait(self, token: str, hash: Optional[str] = None, job_id: Optional[str] = None, timeout: float = 300.0) -> StatusResponse:
        """The job's status once final, from the server-sent events of /events; polls with backoff if the stream breaks."""
        deadline = time.monotonic() + timeout
        try:
            last = None
            for event in self.events(token, hash, job_id, timeout):
                last = event
                if event.get("status") in FINAL_STATUSES:
                    return event
        except PixerveError:
            raise
        except (OSError, ValueError):
            pass
        delay = 0.2
        while True:
            current = self.status(token, hash, job_id)
            if current["status"] in FINAL_STATUSES:
                return current
            if time.monotonic() + delay > deadline:
                raise TimeoutError(f"job still {current['status']} after {timeout} s")
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def events(self, token: str, hash: Optional[str] = None, job_id: Optional[str] = None,
               timeout: float = 300.0) -> Iterator[StatusResponse]:
        """Yields each state of the job (the /status JSON) as the gateway streams it, skipping its progress events;
        ends after a final state."""
        request = self._request("GET", "/events" + self._query(hash, job_id), token, headers={"Accept": "text/event-stream"})
        with self._open(request, timeout) as response:
            data = []
            event_type = None
            for raw in response:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    event_type = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
                elif line == "" and data:
                    if event_type is None or event_type in STATUSES:
                        yield json.loads("\n".join(data))
                    data = []
                    event_type = None

    # -- files ---------------------------------------------------------------------------------------------
    def download(self, sub_dir: str, name: str) -> bytes:
        """A directHost output, served at /files/{subDir}/{name}."""
        path = "/files/" + "/".join(urllib.parse.quote(p) for p in f"{sub_dir.strip('/')}/{name}".strip("/").split("/"))
        with self._open(self._request("GET", path, None), self.timeout) as response:
            return response.read()

    # -- plumbing ------------------------------------------------------------------------------------------
    @staticmethod
    def _query(hash: Optional[str], job_id: Optional[str]) -> str:
        params = {k: v for k, v in (("hash", hash), ("job_id", job_id)) if v}
        return "?" + urllib.parse.urlencode(params) if params else ""

    def _request(self, method: str, path: str, token: Optional[str], body: Any = None,
                 headers: Optional[Dict[str, str]] = None) -> urllib.request.Request:
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=dict(headers or {}))
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        return request

    def _open(self, request: urllib.request.Request, timeout: float):
        try:
            return self._opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                problem = json.loads(raw) if raw else {}
            except ValueError:
                problem = {"detail": raw.decode(errors="replace")}
            raise PixerveError(problem.get("status") or e.code, problem.get("title"), problem.get("detail"),
                               problem.get("field"), problem) from None

    def _json(self, method: str, path: str, token: Optional[str], body: Any = None,
              headers: Optional[Dict[str, str]] = None) -> Any:
        with self._open(self._request(method, path, token, body, headers), self.timeout) as response:
            return json.loads(response.read())


def _chunk(f, offset: int, length: int, size: int, on_progress: Optional[Callable[[int, int], None]]) -> Iterator[bytes]:
    """length bytes of f from offset, in 64 KiB blocks, each reported to on_progress as it goes."""
    f.seek(offset)
    while length > 0:
        block = f.read(min(64 * 1024, length))
        if not block:
            raise ValueError(f"the file ended at {offset} of its {size} bytes")
        yield block
        offset += len(block)
        length -= len(block)
        if on_progress:
            on_progress(offset, size)


def _stream(pieces: list) -> Iterator[bytes]:
    """The pieces' bytes in order, a path's in 64 KiB blocks."""
    for piece in pieces:
        if isinstance(piece, pathlib.Path):
            with piece.open("rb") as f:
                for block in iter(lambda: f.read(64 * 1024), b""):
                    yield block
        elif piece:
            yield piece
