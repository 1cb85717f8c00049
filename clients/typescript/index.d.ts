// Types of the Pixerve HTTP API, written from openapi/pixerve.v1.json (test/contract.test.js checks them against it).

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
  status?: number | null;
  detail?: string | null;
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

/** Names a job: by hash (with the token's claim), or by job_id. */
export type JobRef = { hash: string; job_id?: string } | { hash?: string; job_id: string };

export type UploadFile = Blob | { name: string; data: Blob | ArrayBuffer | Uint8Array };

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

export interface ResumableUploadOptions {
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
  /** Aborting stops the upload (it stays on the gateway, to go on with later) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Where unfinished uploads are kept by fingerprint (default: localStorage in a browser, none on Node). */
  urlStorage?: UrlStorage;
  /** The file's fingerprint for urlStorage (tus-js-client's default: name, type, size, date and endpoint). */
  fingerprint?: (file: any, options: any) => Promise<string | null>;
}

export declare const FINAL_STATUSES: readonly JobStatus[];

/** A refusal: the problem's status, detail and field. */
export declare class PixerveError extends Error {
  readonly status: number;
  readonly title: string | null;
  readonly detail: string | null;
  readonly field: string | null;
  readonly problem: ProblemDetails;
}

/** An HS256 job token (WebCrypto) whose `job` claim is `job`, valid `ttlSeconds` (default 600). */
export declare function mintToken(secret: string, job: JobSpec, options?: { ttlSeconds?: number; sub?: string }): Promise<string>;

export declare class PixerveClient {
  constructor(baseUrl: string, options?: { fetch?: typeof fetch });
  /**
   * One image. Any file name goes safely: one that is not plain printable ASCII (CR, LF, quotes, non-ASCII) is
   * percent-encoded in the part's `filename` and sent exactly in `filename*`, which the gateway reads. When the
   * gateway refuses the token before reading the body and fetch fails with the broken connection, the client asks
   * again without the file and throws that refusal (a PixerveError, `cause` the transport error).
   */
  upload(file: UploadFile, token: string, options?: { formToken?: boolean }): Promise<UploadResponse>;
  uploadBatch(files: UploadFile[], token: string): Promise<BatchUploadResponse>;
  /**
   * One image over tus 1.0 on /uploads (tus-js-client), in chunks, resumable: after a dropped connection it asks the
   * gateway for its offset and goes on from there; an upload left unfinished goes on by options.uploadUrl or by its
   * fingerprint in options.urlStorage. Answers as upload() does, from the Pixerve-* headers of the final PATCH's
   * answer; a refusal is a PixerveError (`cause` tus-js-client's error).
   */
  uploadResumable(file: ResumableFile, token: string, options?: ResumableUploadOptions): Promise<UploadResponse>;
  status(token: string, job: JobRef): Promise<StatusResponse>;
  cancel(token: string, job: JobRef): Promise<StatusResponse>;
  success(token: string, job: JobRef): Promise<SuccessRecord | RecordStatus>;
  failures(token: string, job: JobRef): Promise<FailureRecord | RecordStatus>;
  events(token: string, job: JobRef, options?: { signal?: AbortSignal }): AsyncGenerator<StatusResponse>;
  waitUntilFinal(token: string, job: JobRef, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<StatusResponse>;
  download(subDir: string, name: string): Promise<Uint8Array>;
}
