// Types of the Pixerve HTTP API, written from openapi/pixerve.v1.json (test/contract.test.js checks them against it).
// Nothing here names a Node type: a browser project compiles against them without @types/node.

export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

/**
 * How an output is made to fit its box: `inside` keeps the source's aspect inside it, `cover` fills the box exactly and
 * crops the overflow (see Gravity), `fill` stretches each side to it. Nothing is ever upscaled.
 */
export type Fit = 'inside' | 'cover' | 'fill';

/** Which part a `cover` crop keeps: the middle, the most salient region, or the most detailed one. */
export type Gravity = 'centre' | 'center' | 'attention' | 'entropy';

/** One size with a fit and gravity of its own (each defaults to the format's settings); `box` is [w, h] or [side]. */
export interface SizeBox {
  box: [number, number] | [number];
  fit?: Fit;
  gravity?: Gravity;
}

/** The `job` claim of a job token (camelCase, unlike the answers). */
export interface JobSpec {
  formats?: Record<string, {
    settings?: { quality?: number; speed?: number; animated?: boolean; fit?: Fit; gravity?: Gravity };
    /** Boxes: [w, h], [side], or a SizeBox. */
    sizes: Array<number[] | SizeBox>;
  }>;
  keepOriginal?: boolean;
  directHost?: boolean;
  subDir?: string;
  storageKeys?: Record<string, string>;
  completionCallback?: string;
  callbackHeaders?: Record<string, string>;
  priority?: number;
  [other: string]: unknown;
}

export interface ProblemDetails {
  type?: string | null;
  title?: string | null;
  status: number;
  detail: string;
  instance?: string | null;
  field?: string | null;
  trace_id?: string;
  jobs?: BatchUploadEntry[];
}

export interface UploadResponse {
  hash: string;
  job_id: string;
  expected_files: string[];
  status: JobStatus;
}

export interface BatchUploadEntry {
  file: string;
  hash?: string;
  job_id?: string;
  expected_files?: string[];
  status?: JobStatus;
  error?: ProblemDetails;
}

export interface BatchUploadResponse {
  jobs: BatchUploadEntry[];
}

export interface StoredFile {
  name: string;
  backend: string;
  location: string;
  bytes: number;
  width: number;
  height: number;
}

export interface WebhookResponse {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

export interface StatusResponse {
  hash: string;
  job_id: string;
  status: JobStatus;
  priority: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  expected_files: string[];
  files: StoredFile[];
  /** A failed job's safe message: a category's sentence, never a path, host or user name. */
  error: string | null;
  /** What failed: decode, storage, credential, conversion, upload, cancelled or unknown. */
  error_category: string | null;
  /** The failure's correlation id, as the silo's log line carries it. */
  error_id: string | null;
  /** The full detail (exception text, paths, hosts): the admin token's only; absent or null for a job token. */
  error_detail: string | null;
  webhook: WebhookResponse | null;
  processed_by: string | null;
  /** The source as converted (null until then): size after EXIF orientation, placeholders from a ≤100×100 downscale. */
  source: SourceInfo | null;
  /** Every output once, in expected_files order, with its real size and every place it was stored. */
  outputs: JobOutput[];
  /** How many outputs are made, counted in expected_files order (all of them once completed). */
  outputs_done: number;
  /** How many outputs the job makes: expected_files' length. */
  outputs_total: number;
  /** How many times the failed job was run again with POST /retry. */
  retries: number;
  /** Every run so far, oldest first. */
  history: AttemptResponse[];
}

/** One run of a job: when and where it ran and how it ended; error fields as in StatusResponse. */
export interface AttemptResponse {
  attempt: number;
  started_at: string;
  ended_at: string;
  /** completed, failed, broke (ran again or failed), handed_back (its silo stopped first) or lost (its silo died). */
  outcome: string;
  processed_by: string | null;
  error: string | null;
  error_category: string | null;
  error_id: string | null;
  /** The admin token's only; absent for a job token. */
  error_detail: string | null;
}

export interface SourceInfo {
  /** The sniffed format as an extension: jpg, png, gif, webp, avif, heic. */
  format: string;
  width: number;
  height: number;
  has_alpha: boolean;
  /** #rrggbb; null for a wholly transparent image. */
  dominant_color: string | null;
  /** ThumbHash bytes, standard base64 with padding (decode with thumbhash's thumbHashToDataURL). */
  thumbhash: string;
  /** BlurHash, 4×3 components. */
  blurhash: string;
  frames: number;
}

export interface OutputLocation {
  backend: string;
  location: string;
}

export interface JobOutput {
  name: string;
  /** The job's format key: jpg, png, webp, avif, gif or original. */
  format: string;
  width: number;
  height: number;
  bytes: number;
  locations: OutputLocation[];
}

export interface RecordStatus {
  hash: string;
  job_id: string;
  status: 'success' | 'failed' | 'not_found';
}

export interface JobData {
  spec: JobSpec;
  expected_files: string[];
  files: StoredFile[];
  attempts: number;
  source: SourceInfo | null;
  outputs: JobOutput[];
}

/** `GET /success` or `GET /failures` of a job that has no such record (pending, processing, cancelled, or the other outcome). */
export interface NoRecord extends RecordStatus {
  status: 'not_found';
}

/** `GET /failures` of a completed job: it names the job and says it succeeded, without the record. */
export interface SucceededInstead extends RecordStatus {
  status: 'success';
}

export interface SuccessRecord extends RecordStatus {
  status: 'success';
  timestamp: string;
  file_count: number;
  job_data: JobData;
}

export interface FailureRecord extends RecordStatus {
  status: 'failed';
  timestamp: string;
  error: string;
  job_data: JobData;
}

/** What `success()` answers: narrow on `status` (`'success'` carries `timestamp`, `file_count`, `job_data`). */
export type SuccessAnswer = SuccessRecord | NoRecord;

/** What `failures()` answers: narrow on `status` (`'failed'` carries `timestamp`, `error`, `job_data`). */
export type FailuresAnswer = FailureRecord | SucceededInstead | NoRecord;

/** A finished status. */
export type FinalStatus = 'completed' | 'failed' | 'cancelled';

/** Names a job: a string is its hash (read with the token's claim); or { hash } / { job_id }. */
export type JobRef = string | { hash: string; job_id?: string } | { hash?: string; job_id: string };

/** A state of the job on `GET /events` (its type is the status; the data is what `GET /status` answers). */
export interface StateEvent {
  type: 'state';
  status: JobStatus;
  state: StatusResponse;
}

/** `GET /events`' `source`: the source as the converter described it, once, before any output. */
export interface SourceEvent {
  type: 'source';
  hash: string;
  job_id: string;
  source: SourceInfo;
}

/** `GET /events`' `output_done`: one output made, in `expected_files` order; `done` of `total`. */
export interface OutputDoneEvent {
  type: 'output_done';
  hash: string;
  job_id: string;
  name: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  done: number;
  total: number;
}

/** What `events()` yields: narrow on `type`. */
export type JobEvent = StateEvent | SourceEvent | OutputDoneEvent;

/** Bytes a file's content can come as. Streams are read as the request goes out, never whole first. */
export type UploadBody = Blob | ArrayBuffer | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * One file of an upload: a Blob or File (its name), `{ name, data }` (`size`: the stream's length, when known, for
 * progress), or on Node `{ path }`, a file on disk, read as it is sent (`name` defaults to the path's last part).
 * An fs.ReadStream is `{ name, data: stream }`.
 */
export type UploadFile = Blob | { name: string; data: UploadBody; size?: number } | { path: string; name?: string };

/** What every call takes: the caller's AbortSignal, and a bound on the whole call after which it rejects with PixerveTimeoutError. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds for the whole call (answer and body read); default the client's `timeoutMs` (none unless given). */
  timeoutMs?: number;
}

export interface UploadOptions extends CallOptions {
  /** Sends the token as the seed's `token` form field before the file instead of `Authorization: Bearer`. */
  formToken?: boolean;
  /** Bytes of the request body handed to the connection so far, and its length (null when a stream's size is unknown). */
  onProgress?: (bytesSent: number, bytesTotal: number | null) => void;
}

export interface WaitOptions extends CallOptions {
  /** Every event seen while waiting (states, source, output_done). */
  onEvent?: (event: JobEvent) => void;
}

/** What uploadResumable sends: a Blob or File, bytes, upload()'s { name, data }, or on Node an fs.ReadStream. */
export type ResumableFile = UploadFile | ArrayBuffer | Uint8Array | { readonly path: string | { toString(): string }; pipe(destination: unknown): unknown };

/** tus-js-client's store of unfinished uploads by fingerprint (its FileUrlStorage on Node; any object of this shape). */
export interface UrlStorage {
  findAllUploads(): Promise<PreviousUpload[]>;
  findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]>;
  removeUpload(urlStorageKey: string): Promise<void>;
  /** Answers the key removeUpload takes. */
  addUpload(fingerprint: string, upload: PreviousUpload): Promise<string>;
}

export interface PreviousUpload {
  size: number | null;
  metadata: { [key: string]: string };
  creationTime: string;
  urlStorageKey: string;
  uploadUrl: string | null;
  parallelUploadUrls: string[] | null;
}

export interface ResumableUploadOptions extends CallOptions {
  /** The most bytes one PATCH carries (default 4 MiB). */
  chunkSize?: number;
  /** The bytes sent so far and the file's length, as they go out; after a drop it goes back to the gateway's offset. */
  onProgress?: (bytesSent: number, bytesTotal: number) => void;
  /** Goes on with this upload (the URL onUploadUrl was given) instead of creating one. */
  uploadUrl?: string;
  /** Gets the upload's URL as soon as it exists, to keep for uploadUrl. */
  onUploadUrl?: (uploadUrl: string) => void;
  /** Looks for an unfinished upload of the same file in urlStorage by its fingerprint first (default true). */
  resume?: boolean;
  /** The upload's file name (default: the File's name, the stream's path, or "upload"); it names the outputs. */
  filename?: string;
  filetype?: string;
  /** Waits in ms before each retry in a row after a drop, 409, 423 or 5xx (default [0, 500, 1000, 2000, 4000]); null: none. */
  retryDelays?: number[] | null;
  /** Where unfinished uploads are kept by fingerprint (default: localStorage in a browser, none on Node). */
  urlStorage?: UrlStorage;
  /** The file's fingerprint for urlStorage (tus-js-client's default: name, type, size, date and endpoint). */
  fingerprint?: (file: any, options: any) => Promise<string | null>;
}

