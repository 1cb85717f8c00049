"""AsyncClient: the Client's calls as coroutines, for asyncio programs.

Why a thread per call over the synchronous transport, rather than an HTTP client written on asyncio streams: the
wire behaviour that took care to get right (the early 401 read while a large body is still going out, the token
kept from another origin's redirect, tus resume from the server's offset, a deadline over every blocking step) then
exists once, tested once, for both clients; a second HTTP/1.1 implementation (chunked bodies, TLS, redirects) on
asyncio streams would be more code to get wrong, and the standard library has no asyncio HTTP client. What the thread
costs is one OS thread per call in flight (not the loop's default executor, so long waits cannot starve it), which
suits a client's handful of concurrent uploads and waits. Cancellation stays real: cancelling the task (or
asyncio.wait_for / asyncio.timeout around it) aborts the call's connection at once — its socket is shut, the thread
wakes from its read or send and ends — so no request or event stream outlives the task that made it. File reads
happen in that thread too, never on the event loop."""
from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any, AsyncIterator, Callable, Iterable, Optional, TypeVar

from . import _http
from .client import DEFAULT_TIMEOUT, Client, FileArg, PathArg
from .models import BatchUploadResponse, Event, JobRecord, JobStatus, UploadResponse

T = TypeVar("T")
_END = object()


class AsyncClient:
    """The same calls as Client, awaited; every call takes `timeout` as Client's do, and asyncio cancellation."""

    def __init__(self, base_url: str, timeout: Optional[float] = 60.0, **kwargs: Any):
        self._client = Client(base_url, timeout, **kwargs)
        self.base_url, self.timeout = self._client.base_url, timeout

    async def _run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        done: "asyncio.Future[T]" = loop.create_future()
        handle = _http.Call()

        def settle(result: Any, error: Optional[BaseException]) -> None:
            if done.done():
                return  # cancelled: nobody waits
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(result)

        def work() -> None:
            _http.current_call.set(handle)
            try:
                result = call(*args, **kwargs)
            except _http.Aborted:
                return
            except BaseException as e:  # handed to the awaiting task
                loop.call_soon_threadsafe(settle, None, e)
            else:
                loop.call_soon_threadsafe(settle, result, None)

        threading.Thread(target=contextvars.copy_context().run, args=(work,), name="pixerve-call", daemon=True).start()
        try:
            return await done
        except asyncio.CancelledError:
            handle.abort()
            raise

    async def upload(self, file: FileArg, token: str, *, form_token: bool = False,
                     timeout: Optional[float] = DEFAULT_TIMEOUT) -> UploadResponse:
        return await self._run(self._client.upload, file, token, form_token=form_token, timeout=timeout)

    async def upload_batch(self, files: Iterable[FileArg], token: str, *,
                           timeout: Optional[float] = DEFAULT_TIMEOUT) -> BatchUploadResponse:
        return await self._run(self._client.upload_batch, list(files), token, timeout=timeout)

    async def upload_resumable(self, path: PathArg, token: str, **kwargs: Any) -> UploadResponse:
        """As Client.upload_resumable; its callbacks run in the call's thread, not on the event loop."""
        return await self._run(self._client.upload_resumable, path, token, **kwargs)

    async def status(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                     timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobStatus:
        return await self._run(self._client.status, hash, token, job_id=job_id, timeout=timeout)

    async def cancel(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                     timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobStatus:
        return await self._run(self._client.cancel, hash, token, job_id=job_id, timeout=timeout)

    async def retry(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                    timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobStatus:
        return await self._run(self._client.retry, hash, token, job_id=job_id, timeout=timeout)

    async def success(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                      timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobRecord:
        return await self._run(self._client.success, hash, token, job_id=job_id, timeout=timeout)

    async def failures(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                       timeout: Optional[float] = DEFAULT_TIMEOUT) -> JobRecord:
        return await self._run(self._client.failures, hash, token, job_id=job_id, timeout=timeout)

    async def wait_until_final(self, hash: Optional[str], token: str, timeout: Optional[float] = 300.0, *,
                               job_id: Optional[str] = None) -> JobStatus:
        return await self._run(self._client.wait_until_final, hash, token, timeout, job_id=job_id)

    async def download(self, sub_dir: str, name: str, *, timeout: Optional[float] = DEFAULT_TIMEOUT) -> bytes:
        return await self._run(self._client.download, sub_dir, name, timeout=timeout)

    async def events(self, hash: Optional[str], token: str, *, job_id: Optional[str] = None,
                     timeout: Optional[float] = None) -> AsyncIterator[Event]:
        """As Client.events, as an async iterator; leaving the loop (break, cancellation) closes the stream."""
        loop = asyncio.get_running_loop()
        queue: "asyncio.Queue[Any]" = asyncio.Queue()
        handle = _http.Call()

        def work() -> None:
            _http.current_call.set(handle)
            try:
                for event in self._client.events(hash, token, job_id=job_id, timeout=timeout):
                    loop.call_soon_threadsafe(queue.put_nowait, event)
                    if handle.aborted:
                        return
                loop.call_soon_threadsafe(queue.put_nowait, _END)
            except _http.Aborted:
                return
            except BaseException as e:
                if not handle.aborted:
                    loop.call_soon_threadsafe(queue.put_nowait, e)

        threading.Thread(target=contextvars.copy_context().run, args=(work,), name="pixerve-events", daemon=True).start()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            handle.abort()
