"""The answers of the HTTP API (openapi/pixerve.v1.json) as TypedDicts: the client returns the gateway's JSON as plain
dicts, and these say which keys (snake_case, as on the wire) and types those dicts carry, for type checkers and readers."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict


class UploadResponse(TypedDict):
    """POST /upload with one file. status: pending, processing, completed, failed or cancelled."""
    hash: str
    job_id: str
    expected_files: List[str]
    status: str


class _BatchEntryKeys(TypedDict):
    file: str


class BatchEntry(_BatchEntryKeys, total=False):
    """One file of a batch upload: a job (hash, job_id, expected_files, status), or the problem (error) that refused it."""
    hash: str
    job_id: str
    expected_files: List[str]
    status: str
    error: Dict[str, Any]


class BatchUploadResponse(TypedDict):
    """POST /upload with several files: an entry per file, in order."""
    jobs: List[BatchEntry]


class StoredFile(TypedDict):
    """One output on one backend; width and height are its real pixel size."""
    name: str
    backend: str
    location: str
    bytes: int
    width: int
    height: int


class Webhook(TypedDict):
    """How the completion callback went: status pending, delivered or failed."""
    status: str
    attempts: int
    last_status_code: Optional[int]
    last_error: Optional[str]
    delivered_at: Optional[str]


class SourceInfo(TypedDict):
    """The source image as the job converted it. width/height are after its EXIF orientation; format is its sniffed
    format as an extension (jpg, png, gif, webp, avif, heic); frames is 1 for a still image. The placeholders come
    from a ≤100×100 downscale: thumbhash is the ThumbHash bytes in standard base64 with padding, blurhash has 4×3
    components, dominant_color is #rrggbb (None for a wholly transparent image)."""
    format: str
    width: int
    height: int
    has_alpha: bool
    dominant_color: Optional[str]
    thumbhash: str
    blurhash: str
    frames: int


class OutputLocation(TypedDict):
    """Where one backend stored an output; location as in StoredFile."""
    backend: str
    location: str


class JobOutput(TypedDict):
    """One output: its format key (jpg, png, webp, avif, gif or original), real pixel size after orientation and
    fitting, length, and every place it was stored."""
    name: str
    format: str
    width: int
    height: int
    bytes: int
    locations: List[OutputLocation]


class StatusResponse(TypedDict):
    """GET /status, DELETE /cancel and each event of /events. source is None and outputs empty until the job has
    converted its source; outputs come in expected_files order."""
    hash: str
    job_id: str
    status: str
    priority: int
    created_at: str
    updated_at: str
    started_at: Optional[str]
    finished_at: Optional[str]
    attempts: int
    expected_files: List[str]
    files: List[StoredFile]
    error: Optional[str]
    webhook: Optional[Webhook]
    processed_by: Optional[str]
    source: Optional[SourceInfo]
    outputs: List[JobOutput]
    outputs_done: int
    outputs_total: int


class JobData(TypedDict):
    """What a finished job asked for (its token's job claim as sent, callbackHeaders values as ***) and produced."""
    spec: Dict[str, Any]
    expected_files: List[str]
    files: List[StoredFile]
    attempts: int
    source: Optional[SourceInfo]
    outputs: List[JobOutput]


class _RecordKeys(TypedDict):
    hash: str
    job_id: str
    status: str


class JobRecord(_RecordKeys, total=False):
    """GET /success and GET /failures: status success, failed or not_found; the other keys are there when the job
    has a record (error only in a failure record)."""
    timestamp: str
    file_count: int
    error: str
    job_data: JobData
