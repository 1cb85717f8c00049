"""Pixerve client: job tokens and the HTTP API of docs/http-api.md (openapi/pixerve.v1.json), standard library only.
Client is synchronous, AsyncClient the same calls for asyncio."""
from .aio import AsyncClient
from .client import FINAL_STATUSES, Client, mint_token
from .errors import PixerveError, PixerveNetworkError, PixerveTimeoutError
from .models import (BatchEntry, BatchUploadResponse, Event, JobData, JobOutput, JobRecord, JobStatus, OutputDone,
                     OutputLocation, Problem, SourceEvent, SourceInfo, StatusResponse, StoredFile, UploadResponse, Webhook)

__version__ = "0.2.0"
__all__ = ["AsyncClient", "Client", "PixerveError", "PixerveNetworkError", "PixerveTimeoutError", "mint_token",
           "FINAL_STATUSES", "BatchEntry", "BatchUploadResponse", "Event", "JobData", "JobOutput", "JobRecord",
           "JobStatus", "OutputDone", "OutputLocation", "Problem", "SourceEvent", "SourceInfo", "StatusResponse",
           "StoredFile", "UploadResponse", "Webhook"]
