from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, Iterable, Iterator, Optional, Tuple, Union

from .models import BatchUploadResponse, JobRecord, StatusResponse, UploadResponse

FINAL_STATUSES = ("completed", "failed", "cancelled")
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


class Client:
    """The job-token side of the API. Answers are the gateway's JSON as dicts (snake_case, as in the document), typed
    by the TypedDicts of pixerve.models: a finished job's status carries `source` (SourceInfo) and `outputs` (JobOutput)."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    # -- uploads -------------------------------------------------------------------------------------------
    def upload(self, file: FileArg, token: str, form_token: bool = False) -> UploadResponse:
        """One image: {hash, job_id, expected_files, status}. form_token sends the token as the seed's form field."""
        return self._upload([file], token, form_token)

    def upload_batch(self, files: Iterable[FileArg], token: str) -> BatchUploadResponse:
        """Several images, one job each: {jobs: [{file, hash, job_id, expected_files, status} | {file, error}]}."""
        return self._upload(list(files), token, False)

    def _upload(self, files: list, token: str, form_token: bool) -> Any:
        boundary = "pixerve-" + uuid.uuid4().hex
        body = bytearray()
        if form_token:
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n{token}\r\n'.encode()
        for file in files:
            name, data = file if isinstance(file, tuple) else (os.path.basename(file), open(file, "rb").read())
            quoted = name.replace('"', "%22")
            body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._json("POST", "/upload", None if form_token else token, bytes(body), headers)

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
        """Yields each state of the job (the /status JSON) as the gateway streams it; ends after a final state."""
        request = self._request("GET", "/events" + self._query(hash, job_id), token, headers={"Accept": "text/event-stream"})
        with self._open(request, timeout) as response:
            data = []
            for raw in response:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
                elif line == "" and data:
                    yield json.loads("\n".join(data))
                    data = []

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

    def _request(self, method: str, path: str, token: Optional[str], body: Optional[bytes] = None,
                 headers: Optional[Dict[str, str]] = None) -> urllib.request.Request:
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=dict(headers or {}))
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        return request

    def _open(self, request: urllib.request.Request, timeout: float):
        try:
            return urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                problem = json.loads(raw) if raw else {}
            except ValueError:
                problem = {"detail": raw.decode(errors="replace")}
            raise PixerveError(problem.get("status") or e.code, problem.get("title"), problem.get("detail"),
                               problem.get("field"), problem) from None

    def _json(self, method: str, path: str, token: Optional[str], body: Optional[bytes] = None,
              headers: Optional[Dict[str, str]] = None) -> Any:
        with self._open(self._request(method, path, token, body, headers), self.timeout) as response:
            return json.loads(response.read())
