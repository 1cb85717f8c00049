"""The answers of the HTTP API (openapi/pixerve.v1.json) as typed, immutable objects: snake_case attributes as on the
wire, timestamps as timezone-aware datetime, lists in the server's order (outputs in expected_files order). Each keeps
the JSON it came from as `raw`, so a member a newer server adds is not lost to an older client."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Union

__all__ = ["parse_timestamp", "UploadResponse", "Problem", "BatchEntry", "BatchUploadResponse", "StoredFile", "Webhook",
           "SourceInfo", "OutputLocation", "JobOutput", "JobStatus", "StatusResponse", "JobData", "JobRecord",
           "SourceEvent", "OutputDone", "Event"]

# The server writes seven fractional digits (.NET ticks); datetime takes at most six, and before Python 3.11
# fromisoformat takes neither a 'Z' nor other than 3 or 6 digits: the fraction is cut or padded to six.
_TIMESTAMP = re.compile(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def parse_timestamp(value: Optional[str]) -> Optional[_dt.datetime]:
    """An RFC 3339 timestamp of the server as an aware datetime (UTC when it names no offset); None stays None."""
    if value is None:
        return None
    m = _TIMESTAMP.match(value)
    if not m:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    fraction = (m.group(2) or "")[:6].ljust(6, "0")
    offset = m.group(3) or "+00:00"
    return _dt.datetime.fromisoformat(f"{m.group(1)}.{fraction}{'+00:00' if offset == 'Z' else offset}")


def _raw() -> Any:
    return field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class UploadResponse:
    """POST /upload with one file (and a finished resumable upload). status: pending, processing, completed, failed or
    cancelled (an upload of bytes already converted answers the existing job)."""
    hash: str
    job_id: str
    expected_files: List[str]
    status: str
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "UploadResponse":
        return cls(j["hash"], j["job_id"], list(j.get("expected_files") or []), j["status"], dict(j))


@dataclass(frozen=True)
class Problem:
    """RFC 9457 problem details as data (a refused file of a batch); a refused call raises PixerveError instead."""
    status: int
    title: Optional[str]
    detail: Optional[str]
    type: Optional[str]
    field: Optional[str]
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "Problem":
        return cls(int(j.get("status") or 0), j.get("title"), j.get("detail"), j.get("type"), j.get("field"), dict(j))


@dataclass(frozen=True)
class BatchEntry:
    """One file of a batch upload: a job (hash, job_id, expected_files, status) or the problem that refused it (error)."""
    file: str
    hash: Optional[str]
    job_id: Optional[str]
    expected_files: List[str]
    status: Optional[str]
    error: Optional[Problem]
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "BatchEntry":
        error = j.get("error")
        return cls(j["file"], j.get("hash"), j.get("job_id"), list(j.get("expected_files") or []), j.get("status"),
                   Problem.from_json(error) if isinstance(error, Mapping) else None, dict(j))


@dataclass(frozen=True)
class BatchUploadResponse:
    """POST /upload with several files: an entry per file, in the order they were sent."""
    jobs: List[BatchEntry]
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "BatchUploadResponse":
        return cls([BatchEntry.from_json(e) for e in j.get("jobs") or []], dict(j))


@dataclass(frozen=True)
class StoredFile:
    """One output on one backend (direct, s3, gcs, sftp); width and height are its real pixel size."""
    name: str
    backend: str
    location: str
    bytes: int
    width: int
    height: int

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "StoredFile":
        return cls(j["name"], j["backend"], j["location"], int(j.get("bytes") or 0), int(j.get("width") or 0),
                   int(j.get("height") or 0))


@dataclass(frozen=True)
class Webhook:
    """How the completion callback went: status pending, delivered or failed, after `attempts` tries."""
    status: str
    attempts: int
    last_status_code: Optional[int]
    last_error: Optional[str]
    delivered_at: Optional[_dt.datetime]

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "Webhook":
        return cls(j["status"], int(j.get("attempts") or 0), j.get("last_status_code"), j.get("last_error"),
                   parse_timestamp(j.get("delivered_at")))


@dataclass(frozen=True)
class SourceInfo:
    """The source image as the job converted it: format as an extension (jpg, png, gif, webp, avif, heic), size after
    its EXIF orientation, frames 1 for a still image; placeholders from a <=100x100 downscale (thumbhash in standard
    base64, a 4x3 blurhash, dominant_color #rrggbb or None for a wholly transparent image)."""
    format: str
    width: int
    height: int
    has_alpha: bool
    dominant_color: Optional[str]
    thumbhash: str
    blurhash: str
    frames: int

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "SourceInfo":
        return cls(j["format"], int(j["width"]), int(j["height"]), bool(j.get("has_alpha")), j.get("dominant_color"),
                   j.get("thumbhash") or "", j.get("blurhash") or "", int(j.get("frames") or 1))


@dataclass(frozen=True)
class OutputLocation:
    """Where one backend stored an output; location as in StoredFile."""
    backend: str
    location: str


@dataclass(frozen=True)
class JobOutput:
    """One output: its format key (jpg, png, webp, avif, gif or original), real pixel size, length, and every place
    it was stored."""
    name: str
    format: str
    width: int
    height: int
    bytes: int
    locations: List[OutputLocation]

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "JobOutput":
        return cls(j["name"], j["format"], int(j["width"]), int(j["height"]), int(j.get("bytes") or 0),
                   [OutputLocation(l["backend"], l["location"]) for l in j.get("locations") or []])


def _source(j: Mapping[str, Any]) -> Optional[SourceInfo]:
    return SourceInfo.from_json(j["source"]) if j.get("source") else None


@dataclass(frozen=True)
class JobStatus:
    """GET /status, DELETE /cancel, POST /retry and each state event of /events. source is None and outputs empty until
    the job has converted its source; outputs come in expected_files order. attempts counts runs over all retries."""
    hash: str
    job_id: str
    status: str
    priority: int
    created_at: _dt.datetime
    updated_at: _dt.datetime
    started_at: Optional[_dt.datetime]
    finished_at: Optional[_dt.datetime]
    attempts: int
    retries: int
    expected_files: List[str]
    files: List[StoredFile]
    error: Optional[str]
    error_category: Optional[str]
    error_id: Optional[str]
    webhook: Optional[Webhook]
    processed_by: Optional[str]
    source: Optional[SourceInfo]
    outputs: List[JobOutput]
    outputs_done: int
    outputs_total: int
    raw: Dict[str, Any] = _raw()

    @property
    def is_final(self) -> bool:
        """completed, failed or cancelled: the job changes no more (unless retried)."""
        return self.status in ("completed", "failed", "cancelled")

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "JobStatus":
        created = parse_timestamp(j["created_at"])
        assert created is not None
        webhook = j.get("webhook")
        return cls(
            j["hash"], j["job_id"], j["status"], int(j.get("priority") or 0), created,
            parse_timestamp(j.get("updated_at")) or created, parse_timestamp(j.get("started_at")),
            parse_timestamp(j.get("finished_at")), int(j.get("attempts") or 0), int(j.get("retries") or 0),
            list(j.get("expected_files") or []), [StoredFile.from_json(f) for f in j.get("files") or []],
            j.get("error"), j.get("error_category"), j.get("error_id"),
            Webhook.from_json(webhook) if webhook else None, j.get("processed_by"), _source(j),
            [JobOutput.from_json(o) for o in j.get("outputs") or []],
            int(j.get("outputs_done") or 0), int(j.get("outputs_total") or len(j.get("expected_files") or [])), dict(j))


StatusResponse = JobStatus  # the name of earlier versions


@dataclass(frozen=True)
class JobData:
    """What a finished job asked for (its token's job claim as sent, callbackHeaders values as ***) and produced."""
    spec: Dict[str, Any]
    expected_files: List[str]
    files: List[StoredFile]
    attempts: int
    source: Optional[SourceInfo]
    outputs: List[JobOutput]

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "JobData":
        return cls(dict(j.get("spec") or {}), list(j.get("expected_files") or []),
                   [StoredFile.from_json(f) for f in j.get("files") or []], int(j.get("attempts") or 0), _source(j),
                   [JobOutput.from_json(o) for o in j.get("outputs") or []])


@dataclass(frozen=True)
class JobRecord:
    """GET /success and GET /failures: status success, failed or not_found; timestamp (the job's finished_at),
    file_count and job_data when the job has a record, error only in a failure record."""
    hash: str
    job_id: str
    status: str
    timestamp: Optional[_dt.datetime]
    file_count: Optional[int]
    error: Optional[str]
    error_category: Optional[str]
    error_id: Optional[str]
    job_data: Optional[JobData]
    raw: Dict[str, Any] = _raw()

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "JobRecord":
        data = j.get("job_data")
        return cls(j["hash"], j["job_id"], j["status"], parse_timestamp(j.get("timestamp")), j.get("file_count"),
                   j.get("error"), j.get("error_category"), j.get("error_id"),
                   JobData.from_json(data) if data else None, dict(j))


@dataclass(frozen=True)
class SourceEvent:
    """Progress on /events: the converter has described the source (once, before any OutputDone)."""
    hash: str
    job_id: str
    source: SourceInfo

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "SourceEvent":
        return cls(j["hash"], j["job_id"], SourceInfo.from_json(j["source"]))


@dataclass(frozen=True)
class OutputDone:
    """Progress on /events: output number `done` of `total` is made (encoded, not yet stored), in expected_files order."""
    hash: str
    job_id: str
    name: str
    format: str
    width: int
    height: int
    bytes: int
    done: int
    total: int

    @classmethod
    def from_json(cls, j: Mapping[str, Any]) -> "OutputDone":
        return cls(j["hash"], j["job_id"], j["name"], j["format"], int(j["width"]), int(j["height"]),
                   int(j.get("bytes") or 0), int(j["done"]), int(j["total"]))


# What /events yields: a state (JobStatus: tell them apart with isinstance) or a progress event.
Event = Union[JobStatus, SourceEvent, OutputDone]
