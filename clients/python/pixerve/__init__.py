"""Pixerve client: job tokens and the HTTP API of docs/http-api.md (openapi/pixerve.v1.json), standard library only."""
from .client import Client, PixerveError, mint_token, FINAL_STATUSES
from .models import (BatchEntry, BatchUploadResponse, JobData, JobOutput, JobRecord, OutputLocation, SourceInfo,
                     StatusResponse, StoredFile, UploadResponse, Webhook)

__all__ = ["Client", "PixerveError", "mint_token", "FINAL_STATUSES", "BatchEntry", "BatchUploadResponse", "JobData",
           "JobOutput", "JobRecord", "OutputLocation", "SourceInfo", "StatusResponse", "StoredFile", "UploadResponse",
           "Webhook"]
