"""The three kinds of failure every Pixerve client reports (the same taxonomy in TypeScript, Go and Java):

- PixerveError: the server answered with a refusal, RFC 9457 problem details (status, type, title, detail, and the
  extension members such as field, errors, files, jobs; retry_after from the Retry-After header).
- PixerveNetworkError: no HTTP answer came (refused, reset, DNS, TLS); the cause is `cause` and __cause__.
- PixerveTimeoutError: the call's timeout passed; says which operation and the bound.

PixerveNetworkError is a ConnectionError and PixerveTimeoutError a TimeoutError (both OSError), so code that caught
the standard library's errors from earlier versions of this client keeps working."""
from __future__ import annotations

from typing import Any, Dict, Mapping, Optional


class PixerveError(Exception):
    """A refusal: the problem details (RFC 9457) the server answered with a status of 400 or more."""

    def __init__(self, status: int, title: Optional[str] = None, detail: Optional[str] = None,
                 field: Optional[str] = None, problem: Optional[Dict[str, Any]] = None, retry_after: Optional[float] = None):
        problem = dict(problem or {})
        super().__init__(f"{status} {title or ''}: {detail or ''}".rstrip(": ") + (f" (field {field})" if field else ""))
        self.status = status
        self.title = title
        self.detail = detail
        self.field = field
        self.type: Optional[str] = problem.get("type")
        self.trace_id: Optional[str] = problem.get("trace_id")
        # The per-file entries of a batch whose every file was refused, and the taken names of a 409.
        self.errors: Any = problem.get("errors")
        self.jobs: Any = problem.get("jobs")
        self.files: Any = problem.get("files")
        self.retry_after = retry_after
        # Every member as the server sent it, the extension members among them.
        self.problem = problem

    @classmethod
    def from_problem(cls, status: int, problem: Mapping[str, Any], retry_after: Optional[str] = None) -> "PixerveError":
        seconds: Optional[float] = None
        if retry_after:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = None  # an HTTP date: rare enough to leave to the caller, who has problem and the header
        return cls(int(problem.get("status") or status), problem.get("title"), problem.get("detail"),
                   problem.get("field"), dict(problem), seconds)


class PixerveNetworkError(ConnectionError):
    """No HTTP answer: the connection was refused, reset or broken, the name did not resolve, TLS failed."""

    def __init__(self, operation: str, url: str, cause: BaseException):
        super().__init__(f"{operation} {url}: no answer: {cause!r}")
        self.operation, self.url, self.cause = operation, url, cause


class PixerveTimeoutError(TimeoutError):
    """The call's timeout passed before it was done; the request it had open is closed."""

    def __init__(self, operation: str, timeout: float):
        super().__init__(f"{operation} did not finish within its timeout of {timeout:g} s")
        self.operation, self.timeout = operation, timeout
