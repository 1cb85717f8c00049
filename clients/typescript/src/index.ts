// Pixerve client: job tokens (WebCrypto) and the HTTP API (fetch); resumable uploads (tus 1.0) with tus-js-client,
// whose package maps its Node build to its browser build for bundlers. Runs on Node 20+ and in browsers.
// Types: types.ts, written from openapi/pixerve.v1.json; errors: errors.ts.
import { Upload } from 'tus-js-client';
import { PixerveError, PixerveNetworkError, PixerveTimeoutError, type Problem } from './errors.js';
import type {
  BatchUploadResponse, CallOptions, FailuresAnswer, FinalStatus, JobEvent, JobRef, JobSpec, JobStatus, ResumableFile,
  ResumableUploadOptions, StatusResponse, SuccessAnswer, UploadFile, UploadOptions, UploadResponse, WaitOptions,
} from './types.js';

export * from './types.js';
export { PixerveError, PixerveNetworkError, PixerveTimeoutError, type Problem } from './errors.js';

export const FINAL_STATUSES: readonly FinalStatus[] = Object.freeze(['completed', 'failed', 'cancelled'] as const);
/** Every job status: the event types of /events that are states (its progress events, source and output_done, are not). */
export const STATUSES: readonly JobStatus[] = Object.freeze(['pending', 'processing', ...FINAL_STATUSES]);
/** Whether a status is final (completed, failed, cancelled). */
export const isFinal = (status: JobStatus): status is FinalStatus => (FINAL_STATUSES as readonly string[]).includes(status);

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const percentEncoded = (bytes: Uint8Array, keep: (b: number) => boolean) =>
  Array.from(bytes, (b) => (keep(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const attrChar = (b: number) => /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(b)) && b < 0x80;

// A file part's Content-Disposition. The name never goes into the header raw (CR and LF would end it and start
// another): in filename="…" printable ASCII stays except '"', '%' and '\', every other byte of its UTF-8 is
// percent-encoded (RFC 7578 §4.2); a name that needed that also goes exactly in filename*=UTF-8''… (RFC 8187),
// which the gateway reads first.
function fileDisposition(name: string): string {
  const bytes = encoder.encode(name);
  const fallback = percentEncoded(bytes, (b) => b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x25 && b !== 0x5c);
  const disposition = `form-data; name="file"; filename="${fallback}"`;
  return fallback === name ? disposition : `${disposition}; filename*=UTF-8''${percentEncoded(bytes, attrChar)}`;
}
const base64url = (bytes: Uint8Array) => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const part = (value: unknown) => base64url(encoder.encode(JSON.stringify(value)));

/** An HS256 job token (WebCrypto) whose `job` claim is `job`, valid `ttlSeconds` (default 600). */
export async function mintToken(secret: string, job: JobSpec, { ttlSeconds = 600, sub }: { ttlSeconds?: number; sub?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { job, iat: now, exp: now + ttlSeconds, ...(sub ? { sub } : {}) };
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = await crypto.subtle.sign('HMAC', key, encoder.encode(unsigned));
  return `${unsigned}.${base64url(new Uint8Array(signature))}`;
}

type ObjectRef = Exclude<JobRef, string>;
// The calls take (job, token); before 0.2 they took (token, job), with the job always an object: a second argument
// that is an object is that older order.
function jobAndToken(a: JobRef, b: string | ObjectRef): [JobRef, string] {
  return typeof b === 'object' && b !== null ? [b, a as string] : [a, b];
}
const query = (job: JobRef) => {
  const { hash, job_id: jobId } = typeof job === 'string' ? { hash: job, job_id: undefined } : job;
  const params = new URLSearchParams();
  if (hash) params.set('hash', hash);
  if (jobId) params.set('job_id', jobId);
  const text = params.toString();
  return text ? `?${text}` : '';
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// One call's lifetime: its signal aborts when the caller's does or when its bound passes (with a PixerveTimeoutError
// as the reason), and race() rejects at that moment whatever the awaited step does, so a bound fires even where a
// transport would not notice the abort.
class Scope {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #aborted: Promise<never>;
  readonly #caller: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onAbort: (() => void) | undefined;

  constructor(operation: string, options: CallOptions | undefined, fallbackMs: number | undefined, detail?: () => string) {
    this.signal = this.#controller.signal;
    const caller = this.#caller = options?.signal;
    if (caller?.aborted) this.#controller.abort(caller.reason);
    else if (caller) caller.addEventListener('abort', this.#onAbort = () => this.#controller.abort(caller.reason), { once: true });
    const bound = options?.timeoutMs ?? fallbackMs;
    if (bound !== undefined && Number.isFinite(bound) && !this.signal.aborted) {
      this.#timer = setTimeout(() => this.#controller.abort(new PixerveTimeoutError(operation, bound, detail?.())), Math.max(0, bound));
    }
    this.#aborted = new Promise<never>((_, reject) => {
      if (this.signal.aborted) reject(this.signal.reason);
      else this.signal.addEventListener('abort', () => reject(this.signal.reason), { once: true });
    });
    this.#aborted.catch(() => {});
  }

  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#aborted]);
  }

  /** What the call throws for `error`: the timeout or the caller's reason once aborted, else the error itself. */
  error(error: unknown): unknown {
    return this.signal.aborted ? this.signal.reason : error;
  }

  /** Ends the call: no timer left running, the caller's signal let go, and (close) the request torn down. */
  dispose(close = false): void {
    clearTimeout(this.#timer);
    if (this.#onAbort) this.#caller?.removeEventListener('abort', this.#onAbort);
    if (close && !this.signal.aborted) this.#controller.abort();
  }
}

function retryAfterOf(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
// Every problem the gateway writes has status and detail; an answer from something in front of it (a proxy's HTML page)
// still makes a problem that has them.
const problemOf = (status: number, text: string): Problem => {
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed === 'object' && parsed !== null) return { status, detail: '', ...(parsed as Partial<Problem>) };
  } catch {
    // not JSON: the text is the detail
  }
  return { status, detail: text };
};

type Piece = string | Blob | { stream: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>; size: number | null };
type Body = { body: BodyInit; duplex?: 'half' };

const onNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === 'string';

// A Node built-in, loaded only on Node: the specifier is not a literal, so bundlers for the browser leave it out.
async function nodeFs(): Promise<{ openAsBlob(path: string): Promise<Blob>; createReadStream(path: string): unknown }> {
  const specifier = ['node', 'fs'].join(':');
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}
const baseName = (path: string) => path.split(/[\\/]/).pop() || 'upload';

async function* chunksOf(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in source) {
    for await (const chunk of source) yield chunk;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

// A file as a part's name and what goes after its headers: a Blob (sized, read as it is sent: a File, a file on disk
// by fs.openAsBlob) or a stream.
async function partOf(file: UploadFile): Promise<[string, Piece]> {
  if (file instanceof Blob) return [(file as Partial<File>).name || 'upload', file];
  if ('data' in file) {
    const { data } = file;
    if (data instanceof Blob) return [file.name, data];
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return [file.name, new Blob([data as BlobPart])];
    return [file.name, { stream: data, size: file.size ?? null }];
  }
  if (!onNode) throw new TypeError('a file path can only be uploaded on Node: give a Blob or File');
  return [file.name ?? baseName(file.path), await (await nodeFs()).openAsBlob(file.path)];
}

const pieceSize = (piece: Piece): number | null =>
  typeof piece === 'string' ? encoder.encode(piece).byteLength : piece instanceof Blob ? piece.size : piece.size;

// The multipart body. Without streams or progress, one Blob (its parts stay where they are: a file on disk is read
// as fetch sends it, and the request has a Content-Length). Otherwise on Node a ReadableStream that reads the next
// piece only when fetch asks for it (highWaterMark 0): what it has handed over is what went to the connection, which
// is what onProgress reports.
async function bodyOf(pieces: Piece[], onProgress: UploadOptions['onProgress']): Promise<Body> {
  const streams = pieces.some((p) => typeof p === 'object' && !(p instanceof Blob));
  if (!onNode) {
    // Browsers send a streamed request body only over HTTP/2 (Chrome) or not at all: a stream becomes a Blob first.
    const parts: BlobPart[] = [];
    for (const p of pieces) {
      if (typeof p === 'string' || p instanceof Blob) parts.push(p);
      else for await (const chunk of chunksOf(p.stream)) parts.push(chunk as BlobPart);
    }
    return { body: new Blob(parts) };
  }
  if (!streams && !onProgress) return { body: new Blob(pieces as BlobPart[]) };
  const sizes = pieces.map(pieceSize);
  const total = sizes.every((s) => s !== null) ? (sizes as number[]).reduce((a, b) => a + b, 0) : null;
  async function* chunks() {
    for (const piece of pieces) {
      if (typeof piece === 'string') yield encoder.encode(piece);
      else yield* chunksOf(piece instanceof Blob ? (piece.stream() as ReadableStream<Uint8Array>) : piece.stream);
    }
  }
  const source = chunks();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await source.next();
      if (done) { controller.close(); return; }
      controller.enqueue(value);
      sent += value.byteLength;
      onProgress?.(sent, total);
    },
    async cancel() { await source.return(undefined); },
  }, { highWaterMark: 0 });
  return { body, duplex: 'half' };
}

// In a browser, upload progress is XMLHttpRequest's (fetch reports none): the same request, its events as onProgress.
function sendWithProgress(url: string, headers: Headers, body: Blob, signal: AbortSignal, onProgress: NonNullable<UploadOptions['onProgress']>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    headers.forEach((value, name) => xhr.setRequestHeader(name, value));
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.size);
    xhr.onload = () => {
      const answer = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const at = line.indexOf(':');
        if (at > 0) answer.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
      }
      resolve(new Response(xhr.responseText, { status: xhr.status, headers: answer }));
    };
    xhr.onerror = () => reject(new TypeError('XMLHttpRequest failed'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

export interface ClientOptions {
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** The bound of every call that names none, in ms (default: none; waitUntilFinal's is 300 000). */
  timeoutMs?: number;
}

export class PixerveClient {
  readonly #base: string;
  readonly #fetchImpl: typeof fetch;
  readonly #timeoutMs: number | undefined;

  constructor(baseUrl: string, { fetch: fetchImpl, timeoutMs }: ClientOptions = {}) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#fetchImpl = fetchImpl ?? globalThis.fetch.bind(globalThis);
    this.#timeoutMs = timeoutMs;
  }

  /**
   * One image, streamed: a file on disk ({ path }) or a stream is read as the request goes out, never whole first;
   * `onProgress` gets the bytes handed to the connection. Any file name goes safely: one that is not plain printable
   * ASCII is percent-encoded in the part's `filename` and sent exactly in `filename*`. When the gateway refuses the
   * token before reading the body and the connection breaks under it, the client asks again without the file and
   * throws that refusal (a PixerveError, `cause` the transport error).
   */
  upload(file: UploadFile, token: string, options: UploadOptions = {}): Promise<UploadResponse> {
    return this.#upload('upload', [file], token, options) as Promise<UploadResponse>;
  }

  /** Several images in one request: the answer has an entry per file, in order. */
  uploadBatch(files: UploadFile[], token: string, options: Omit<UploadOptions, 'formToken'> = {}): Promise<BatchUploadResponse> {
    return this.#upload('uploadBatch', files, token, { ...options, formToken: false }) as Promise<BatchUploadResponse>;
  }

  async #upload(operation: string, files: UploadFile[], token: string, options: UploadOptions): Promise<unknown> {
    const scope = new Scope(operation, options, this.#timeoutMs);
    try {
      const formToken = options.formToken ?? false;
      const boundary = `pixerve-${hex(crypto.getRandomValues(new Uint8Array(16)))}`;
      // The seed's token field comes before the file parts.
      const preamble: Piece[] = formToken ? [`--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${token}\r\n`] : [];
      const pieces = [...preamble];
      for (const file of files) {
        const [name, content] = await partOf(file);
        pieces.push(`--${boundary}\r\nContent-Disposition: ${fileDisposition(name)}\r\nContent-Type: application/octet-stream\r\n\r\n`, content, '\r\n');
      }
      const end = `--${boundary}--\r\n`;
      const headers = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
      const bearer = formToken ? null : token;
      let response: Response;
      try {
        const body = await bodyOf([...pieces, end], options.onProgress);
        if (!onNode && options.onProgress && typeof XMLHttpRequest === 'function') {
          const all = new Headers(headers);
          if (bearer) all.set('Authorization', `Bearer ${bearer}`);
          const url = `${this.#base}/upload`;
          response = await scope.race(sendWithProgress(url, all, body.body as Blob, scope.signal, options.onProgress))
            .catch((e) => { throw scope.signal.aborted ? scope.signal.reason : new PixerveNetworkError(operation, e, url); });
          if (!response.ok) throw await this.#refusal(response, scope, operation);
        } else {
          response = await this.#fetch(operation, scope, '/upload', bearer, { method: 'POST', headers, ...body });
        }
      } catch (e) {
        if (!(e instanceof PixerveNetworkError) || scope.signal.aborted) throw e;
        // A gateway that refuses the token before reading the body answers and closes while the body is still going
        // out; fetch then fails with the broken pipe (EPIPE) and drops the answer. Ask again with no file: a refusal
        // of the token (401, 403, 429…) is the answer the upload had; anything else leaves the network error standing.
        const refusal = await this.#fetch(operation, scope, '/upload', bearer, { method: 'POST', headers, body: new Blob([...(preamble as string[]), end]) })
          .then(() => null, (r: unknown) => r);
        if (refusal instanceof PixerveError && refusal.status >= 401 && refusal.status < 500) {
          throw new PixerveError(refusal.status, refusal.problem, { retryAfter: refusal.retryAfter, cause: e });
        }
        throw e;
      }
      return await this.#read(response, scope, operation);
    } catch (e) {
      throw scope.error(e);
    } finally {
      scope.dispose();
    }
  }

  /**
   * One image over tus 1.0 on /uploads (tus-js-client): chunks of `chunkSize` bytes, `onProgress(bytesSent,
   * bytesTotal)` as they go out, and after a dropped connection a HEAD for the gateway's offset and on from there
   * (`retryDelays`). Answers as upload() does, from the Pixerve-* headers of the answer that brought the last byte.
   * An upload left unfinished (a closed tab, `signal` aborted, `timeoutMs` passed, retries spent) goes on from where
   * the gateway is: by `uploadUrl` (the URL `onUploadUrl` was given), or by the file's fingerprint in `urlStorage` (a
   * browser's localStorage by default; none on Node unless given), with a token of the same sub and job claim.
   * A refusal is a PixerveError (`cause` tus-js-client's error); no answer at all a PixerveNetworkError.
   */
  async uploadResumable(file: ResumableFile, token: string, options: ResumableUploadOptions = {}): Promise<UploadResponse> {
    const {
      chunkSize = 4 * 1024 * 1024, onProgress, uploadUrl, onUploadUrl, resume = true, filename, filetype,
      retryDelays = [0, 500, 1000, 2000, 4000], urlStorage, fingerprint,
    } = options;
    const scope = new Scope('uploadResumable', options, this.#timeoutMs);
    try {
      // upload()'s { name, data } and { path } forms too.
      let given: string | undefined;
      let data: unknown = file;
      if (typeof file === 'object' && file !== null && 'data' in file && !(file instanceof Blob)) [given, data] = [file.name, file.data];
      else if (typeof file === 'object' && file !== null && 'path' in file && typeof file.path === 'string' && !('pipe' in file)) {
        if (!onNode) throw new TypeError('a file path can only be uploaded on Node: give a Blob or File');
        [given, data] = [file.name ?? baseName(file.path), (await nodeFs()).createReadStream(file.path)];
      }
      const described = data as { name?: unknown; path?: unknown; type?: unknown };
      const name = filename ?? given ?? (typeof described.name === 'string' ? described.name : undefined)
        ?? (described.path ? baseName(String(described.path)) : 'upload');
      const type = filetype ?? (typeof described.type === 'string' && described.type ? described.type : undefined);
      const source = await sourceOf(data);
      return await new Promise<UploadResponse>((resolve, reject) => {
        if (scope.signal.aborted) { reject(scope.signal.reason); return; }
        let announced: string | null = null;
        const upload = new Upload(source as ConstructorParameters<typeof Upload>[0], {
          endpoint: `${this.#base}/uploads`,
          uploadUrl: uploadUrl ?? null,
          chunkSize,
          retryDelays,
          headers: { Authorization: `Bearer ${token}` },
          metadata: { filename: name, ...(type ? { filetype: type } : {}) },
          removeFingerprintOnSuccess: true,
          ...(urlStorage ? { urlStorage } : {}),
          // tus-js-client's own type says a string; its code also takes null (no fingerprint: nothing stored).
          ...(fingerprint ? { fingerprint: fingerprint as (file: File) => Promise<string> } : {}),
          onProgress: onProgress ? (sent: number, total: number) => onProgress(sent, total) : null,
          onUploadUrlAvailable: () => {
            if (upload.url && upload.url !== announced) onUploadUrl?.(announced = upload.url);
          },
          onSuccess: ({ lastResponse }) => {
            const answer = answerOf(lastResponse);
            // Complete, but the answer that said so carried no job (an upload found complete before any byte was sent).
            if (answer) resolve(answer);
            else this.#fetch('uploadResumable', scope, upload.url!, token, { headers: { 'Tus-Resumable': '1.0.0' } }, true)
              .then((r) => this.#read(r, scope, 'uploadResumable') as Promise<UploadResponse>).then(resolve, reject);
          },
          onError: (e) => reject(refusalOf(e, this.#base)),
        });
        scope.signal.addEventListener('abort', () => {
          upload.abort(false).catch(() => {});
          reject(scope.signal.reason);
        }, { once: true });
        const previous = resume && !uploadUrl ? upload.findPreviousUploads() : Promise.resolve([]);
        previous.then((uploads) => {
          if (scope.signal.aborted) return;
          if (uploads.length > 0) upload.resumeFromPreviousUpload(uploads[0]!);
          upload.start();
        }, reject);
      });
    } catch (e) {
      throw scope.error(e);
    } finally {
      scope.dispose();
    }
  }

  /** The job's status; timestamps are ISO 8601 strings (`new Date(s.created_at)`), outputs in `expected_files` order. */
  status(job: JobRef, token: string, options?: CallOptions): Promise<StatusResponse>;
  /** @deprecated The token came first before 0.2: status(job, token, options). */
  status(token: string, job: ObjectRef, options?: CallOptions): Promise<StatusResponse>;
  status(a: JobRef, b: string | ObjectRef, options?: CallOptions): Promise<StatusResponse> {
    const [job, token] = jobAndToken(a, b);
    return this.#json('status', `/status${query(job)}`, token, options);
  }

  /** Cancels a pending job (409 once it runs); answers its status, now cancelled. */
  cancel(job: JobRef, token: string, options?: CallOptions): Promise<StatusResponse>;
  /** @deprecated The token came first before 0.2: cancel(job, token, options). */
  cancel(token: string, job: ObjectRef, options?: CallOptions): Promise<StatusResponse>;
  cancel(a: JobRef, b: string | ObjectRef, options?: CallOptions): Promise<StatusResponse> {
    const [job, token] = jobAndToken(a, b);
    return this.#json('cancel', `/cancel${query(job)}`, token, options, { method: 'DELETE' });
  }

  /** Runs a failed job again from its kept original (409 for any other job); answers its status, pending again. */
  retry(job: JobRef, token: string, options?: CallOptions): Promise<StatusResponse> {
    return this.#json('retry', `/retry${query(job)}`, token, options, { method: 'POST' });
  }

  /** The job's success record; narrow on `status` ('success' carries timestamp, file_count, job_data). */
  success(job: JobRef, token: string, options?: CallOptions): Promise<SuccessAnswer>;
  /** @deprecated The token came first before 0.2: success(job, token, options). */
  success(token: string, job: ObjectRef, options?: CallOptions): Promise<SuccessAnswer>;
  success(a: JobRef, b: string | ObjectRef, options?: CallOptions): Promise<SuccessAnswer> {
    const [job, token] = jobAndToken(a, b);
    return this.#json('success', `/success${query(job)}`, token, options);
  }

  /** The job's failure record; narrow on `status` ('failed' carries timestamp, error, job_data). */
  failures(job: JobRef, token: string, options?: CallOptions): Promise<FailuresAnswer>;
  /** @deprecated The token came first before 0.2: failures(job, token, options). */
  failures(token: string, job: ObjectRef, options?: CallOptions): Promise<FailuresAnswer>;
  failures(a: JobRef, b: string | ObjectRef, options?: CallOptions): Promise<FailuresAnswer> {
    const [job, token] = jobAndToken(a, b);
    return this.#json('failures', `/failures${query(job)}`, token, options);
  }

  /**
   * The job's server-sent events as they come: its states (`type: 'state'`), `source` and `output_done` progress;
   * ends after a final state. `timeoutMs` bounds the whole stream (default: none).
   */
  events(job: JobRef, token: string, options?: CallOptions): AsyncGenerator<JobEvent, void, undefined>;
  /** @deprecated The token came first before 0.2: events(job, token, options). */
  events(token: string, job: ObjectRef, options?: CallOptions): AsyncGenerator<JobEvent, void, undefined>;
  async *events(a: JobRef, b: string | ObjectRef, options?: CallOptions): AsyncGenerator<JobEvent, void, undefined> {
    const [job, token] = jobAndToken(a, b);
    const scope = new Scope('events', options, undefined);
    const url = `${this.#base}/events${query(job)}`;
    let reader: ReadableStreamDefaultReader<string> | undefined;
    try {
      const response = await this.#fetch('events', scope, `/events${query(job)}`, token, { headers: { Accept: 'text/event-stream' } });
      if (!response.body) throw new PixerveNetworkError('events', new Error('the answer has no body'), url);
      reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        let chunk: ReadableStreamReadResult<string>;
        try {
          chunk = await scope.race(reader.read());
        } catch (e) {
          throw scope.signal.aborted ? scope.signal.reason : new PixerveNetworkError('events', e, url);
        }
        if (chunk.done) return;
        buffer += chunk.value.replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const type = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          const event = data ? eventOf(type, JSON.parse(data)) : null;
          if (event) yield event;
        }
      }
    } catch (e) {
      throw scope.error(e);
    } finally {
      reader?.cancel().catch(() => {});
      scope.dispose(true);
    }
  }

  /**
   * The job's status once final (completed, failed, cancelled): server-sent events, then polling with backoff if the
   * stream breaks. Rejects with PixerveTimeoutError when `timeoutMs` (default 300 000) passes first, the request
   * cancelled.
   */
  waitUntilFinal(job: JobRef, token: string, options?: WaitOptions): Promise<StatusResponse>;
  /** @deprecated The token came first before 0.2: waitUntilFinal(job, token, options). */
  waitUntilFinal(token: string, job: ObjectRef, options?: WaitOptions): Promise<StatusResponse>;
  async waitUntilFinal(a: JobRef, b: string | ObjectRef, options?: WaitOptions): Promise<StatusResponse> {
    const [job, token] = jobAndToken(a, b);
    let last: JobStatus | null = null;
    const scope = new Scope('waitUntilFinal', options, this.#timeoutMs ?? 300_000, () => `the job is still ${last ?? 'unseen'}`);
    try {
      try {
        for await (const event of this.events(job, token, { signal: scope.signal })) {
          options?.onEvent?.(event);
          if (event.type !== 'state') continue;
          last = event.status;
          if (isFinal(event.status)) return event.state;
        }
      } catch (e) {
        if (e instanceof PixerveError || scope.signal.aborted) throw e;
      }
      for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
        const state = await this.status(job, token, { signal: scope.signal });
        last = state.status;
        if (isFinal(state.status)) return state;
        await scope.race(sleep(delay));
      }
    } catch (e) {
      throw scope.error(e);
    } finally {
      scope.dispose();
    }
  }

  /** A directHost output, served at /files/{subDir}/{name}. */
  async download(subDir: string, name: string, options?: CallOptions): Promise<Uint8Array> {
    const path = `${subDir}/${name}`.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    const scope = new Scope('download', options, this.#timeoutMs);
    try {
      const response = await this.#fetch('download', scope, `/files/${path}`, null);
      return new Uint8Array(await scope.race(response.arrayBuffer()).catch((e) => {
        throw scope.signal.aborted ? scope.signal.reason : new PixerveNetworkError('download', e, response.url);
      }));
    } catch (e) {
      throw scope.error(e);
    } finally {
      scope.dispose();
    }
  }

  async #json<T>(operation: string, path: string, token: string, options: CallOptions | undefined, init: RequestInit = {}): Promise<T> {
    const scope = new Scope(operation, options, this.#timeoutMs);
    try {
      return await this.#read(await this.#fetch(operation, scope, path, token, init), scope, operation) as T;
    } catch (e) {
      throw scope.error(e);
    } finally {
      scope.dispose();
    }
  }

  async #text(response: Response, scope: Scope, operation: string): Promise<string> {
    try {
      return await scope.race(response.text());
    } catch (e) {
      throw scope.signal.aborted ? scope.signal.reason : new PixerveNetworkError(operation, e, response.url);
    }
  }

  async #read(response: Response, scope: Scope, operation: string): Promise<unknown> {
    return JSON.parse(await this.#text(response, scope, operation));
  }

  async #refusal(response: Response, scope: Scope, operation: string): Promise<PixerveError> {
    const text = await this.#text(response, scope, operation).catch(() => '');
    return new PixerveError(response.status, problemOf(response.status, text), { retryAfter: retryAfterOf(response.headers.get('Retry-After')) });
  }

  async #fetch(operation: string, scope: Scope, path: string, token: string | null, init: RequestInit & { duplex?: 'half' } = {}, absolute = false): Promise<Response> {
    const url = absolute ? path : `${this.#base}${path}`;
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    let response: Response;
    try {
      response = await scope.race(this.#fetchImpl(url, { ...init, headers, signal: scope.signal }));
    } catch (e) {
      // fetch's own failure is a TypeError ("fetch failed", the reason its cause): never handed on raw.
      throw scope.signal.aborted ? scope.signal.reason : new PixerveNetworkError(operation, e, url);
    }
    if (response.ok) return response;
    throw await this.#refusal(response, scope, operation);
  }
}

function eventOf(type: string | undefined, data: Record<string, unknown>): JobEvent | null {
  if (type === undefined || (STATUSES as readonly string[]).includes(type)) {
    const state = data as unknown as StatusResponse;
    return { type: 'state', status: state.status, state };
  }
  if (type === 'source' || type === 'output_done') return { ...data, type } as JobEvent;
  return null; // a kind of event this client does not know yet
}

// What tus-js-client reads: in a browser a Blob; on Node (its Node build, which takes no Blob) a Buffer or a stream.
// Bytes go as a Blob in a browser and as a Buffer over the same memory on Node; a Blob on Node is read into a Buffer
// (an fs.ReadStream, or { path }, is what streams from disk there).
type NodeBuffer = { from(data: ArrayBufferLike, offset?: number, length?: number): Uint8Array; isBuffer(value: unknown): boolean };
async function sourceOf(file: unknown): Promise<unknown> {
  const bytes = file instanceof ArrayBuffer ? new Uint8Array(file) : file;
  if (!onNode) return bytes instanceof Uint8Array ? new Blob([bytes as BlobPart]) : bytes;
  const { Buffer } = globalThis as unknown as { Buffer: NodeBuffer };
  if (bytes instanceof Uint8Array) return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof Blob) return Buffer.from(await bytes.arrayBuffer());
  return bytes;
}

type TusResponse = { getHeader(name: string): string | undefined; getStatus(): number; getBody(): string } | null | undefined;

// The job from the Pixerve-* headers of a tus answer (the last PATCH's, or a HEAD's once complete); null without them.
function answerOf(response: TusResponse): UploadResponse | null {
  const header = (name: string) => response?.getHeader(name) ?? null;
  if (!header('Pixerve-Hash')) return null;
  return {
    hash: header('Pixerve-Hash')!,
    job_id: header('Pixerve-Job-Id')!,
    expected_files: (header('Pixerve-Expected-Files') ?? '').split(',').map((n) => n.trim()).filter(Boolean),
    status: header('Pixerve-Status') as JobStatus,
  };
}

// tus-js-client's error as a PixerveError when the gateway answered a problem; no answer is a PixerveNetworkError.
function refusalOf(error: Error, base: string): Error {
  const response = (error as { originalResponse?: TusResponse }).originalResponse;
  const status = response?.getStatus() ?? 0;
  if (!response || status < 400) return new PixerveNetworkError('uploadResumable', error, `${base}/uploads`);
  return new PixerveError(status, problemOf(status, response.getBody() ?? ''), { retryAfter: retryAfterOf(response.getHeader('Retry-After') ?? null), cause: error });
}
