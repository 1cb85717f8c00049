// Pixerve client: job tokens (WebCrypto) and the HTTP API (fetch); resumable uploads (tus 1.0) with tus-js-client,
// whose package maps its Node build to its browser build for bundlers. Runs on Node 20+ and in browsers.
// Types: index.d.ts, written from openapi/pixerve.v1.json.
import { Upload } from 'tus-js-client';

export const FINAL_STATUSES = Object.freeze(['completed', 'failed', 'cancelled']);
/** Every job status: the event types of /events that are states (its progress events, source and output_done, are not). */
export const STATUSES = Object.freeze(['pending', 'processing', ...FINAL_STATUSES]);

export class PixerveError extends Error {
  constructor(status, problem) {
    const field = problem.field ?? null;
    super(`${status} ${problem.title ?? ''}: ${problem.detail ?? ''}${field ? ` (field ${field})` : ''}`);
    this.name = 'PixerveError';
    this.status = problem.status ?? status;
    this.title = problem.title ?? null;
    this.detail = problem.detail ?? null;
    this.field = field;
    this.problem = problem;
  }
}

const encoder = new TextEncoder();
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const percentEncoded = (bytes, keep) => Array.from(bytes, (b) => (keep(b) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const attrChar = (b) => /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(b)) && b < 0x80;

// A file part's Content-Disposition. The name never goes into the header raw (CR and LF would end it and start
// another): in filename="…" printable ASCII stays except '"', '%' and '\', every other byte of its UTF-8 is
// percent-encoded (RFC 7578 §4.2); a name that needed that also goes exactly in filename*=UTF-8''… (RFC 8187),
// which the gateway reads first.
function fileDisposition(name) {
  const bytes = encoder.encode(name);
  const fallback = percentEncoded(bytes, (b) => b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x25 && b !== 0x5c);
  const disposition = `form-data; name="file"; filename="${fallback}"`;
  return fallback === name ? disposition : `${disposition}; filename*=UTF-8''${percentEncoded(bytes, attrChar)}`;
}
const base64url = (bytes) => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const part = (value) => base64url(encoder.encode(JSON.stringify(value)));

export async function mintToken(secret, job, { ttlSeconds = 600, sub } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { job, iat: now, exp: now + ttlSeconds, ...(sub ? { sub } : {}) };
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = await crypto.subtle.sign('HMAC', key, encoder.encode(unsigned));
  return `${unsigned}.${base64url(new Uint8Array(signature))}`;
}

const query = ({ hash, job_id: jobId } = {}) => {
  const params = new URLSearchParams();
  if (hash) params.set('hash', hash);
  if (jobId) params.set('job_id', jobId);
  const text = params.toString();
  return text ? `?${text}` : '';
};
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
});

export class PixerveClient {
  #base;
  #fetch;

  constructor(baseUrl, { fetch: fetchImpl } = {}) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  upload(file, token, { formToken = false } = {}) {
    return this.#upload([file], token, formToken);
  }

  uploadBatch(files, token) {
    return this.#upload(files, token, false);
  }

  async #upload(files, token, formToken) {
    const boundary = `pixerve-${hex(crypto.getRandomValues(new Uint8Array(16)))}`;
    // The seed's token field comes before the file parts.
    const preamble = formToken ? [`--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${token}\r\n`] : [];
    const parts = [...preamble];
    for (const file of files) {
      const [name, data] = file instanceof Blob ? [file.name ?? 'upload', file] : [file.name, file.data instanceof Blob ? file.data : new Blob([file.data])];
      parts.push(`--${boundary}\r\nContent-Disposition: ${fileDisposition(name)}\r\nContent-Type: application/octet-stream\r\n\r\n`, data, '\r\n');
    }
    const upload = (body) => this.#fetchOk('/upload', formToken ? null : token, {
      method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: new Blob([...body, `--${boundary}--\r\n`]),
    });
    let response;
    try {
      response = await upload(parts);
    } catch (e) {
      if (e instanceof PixerveError) throw e;
      // A gateway that refuses the token before reading the body answers and closes while the body is still going
      // out; fetch then fails with the broken pipe (EPIPE) and drops the answer. Ask again with no file: a refusal
      // of the token (401, 403, 429…) is the answer the upload had; anything else leaves the transport error standing.
      const refusal = await upload(preamble).then(() => null, (r) => r);
      if (refusal instanceof PixerveError && refusal.status >= 401 && refusal.status < 500) {
        refusal.cause = e;
        throw refusal;
      }
      throw e;
    }
    return response.json();
  }

  /**
   * One image over tus 1.0 on /uploads (tus-js-client): chunks of `chunkSize` bytes, `onProgress(bytesSent,
   * bytesTotal)` as they go out, and after a dropped connection a HEAD for the gateway's offset and on from there
   * (`retryDelays`). Answers as upload() does, from the Pixerve-* headers of the answer that brought the last byte.
   * An upload left unfinished (a closed tab, `signal` aborted, retries spent) goes on from where the gateway is: by
   * `uploadUrl` (the URL `onUploadUrl` was given), or by the file's fingerprint in `urlStorage` (a browser's
   * localStorage by default; none on Node unless given), with a token of the same sub and job claim.
   * file: a Blob or File, bytes, or upload()'s { name, data }; on Node an fs.ReadStream streams each chunk from disk.
   */
  async uploadResumable(file, token, {
    chunkSize = 4 * 1024 * 1024, onProgress, uploadUrl, onUploadUrl, resume = true, filename, filetype,
    retryDelays = [0, 500, 1000, 2000, 4000], signal, urlStorage, fingerprint,
  } = {}) {
    // upload()'s { name, data } form too.
    const [given, data] = file && 'data' in file && !(file instanceof Blob) ? [file.name, file.data] : [undefined, file];
    const name = filename ?? given ?? data.name ?? (data.path ? String(data.path).split(/[\\/]/).pop() : 'upload');
    const type = filetype ?? (data.type || undefined);
    const source = await sourceOf(data);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason); return; }
      let announced = null;
      const upload = new Upload(source, {
        endpoint: `${this.#base}/uploads`,
        uploadUrl: uploadUrl ?? null,
        chunkSize,
        retryDelays,
        headers: { Authorization: `Bearer ${token}` },
        metadata: { filename: name, ...(type ? { filetype: type } : {}) },
        removeFingerprintOnSuccess: true,
        ...(urlStorage ? { urlStorage } : {}),
        ...(fingerprint ? { fingerprint } : {}),
        onProgress: onProgress ? (sent, total) => onProgress(sent, total) : null,
        onUploadUrlAvailable: () => {
          if (upload.url !== announced) onUploadUrl?.(announced = upload.url);
        },
        onSuccess: ({ lastResponse }) => {
          const answer = answerOf(lastResponse);
          // Complete, but the answer that said so carried no job (an upload found complete before any byte was sent).
          if (answer) resolve(answer);
          else this.#fetchOk(upload.url, token, { headers: { 'Tus-Resumable': '1.0.0' } }, true).then((r) => r.json()).then(resolve, reject);
        },
        onError: (e) => reject(refusalOf(e)),
      });
      signal?.addEventListener('abort', () => {
        upload.abort(false).catch(() => {});
        reject(signal.reason);
      }, { once: true });
      const previous = resume && !uploadUrl ? upload.findPreviousUploads() : Promise.resolve([]);
      previous.then((uploads) => {
        if (signal?.aborted) return;
        if (uploads.length > 0) upload.resumeFromPreviousUpload(uploads[0]);
        upload.start();
      }, reject);
    });
  }

  status(token, job) { return this.#json(`/status${query(job)}`, token); }
  cancel(token, job) { return this.#json(`/cancel${query(job)}`, token, { method: 'DELETE' }); }
  success(token, job) { return this.#json(`/success${query(job)}`, token); }
  failures(token, job) { return this.#json(`/failures${query(job)}`, token); }

  /** The job's states from the server-sent events of /events (its progress events skipped); ends after a final state. */
  async *events(token, job, { signal } = {}) {
    const response = await this.#fetchOk(`/events${query(job)}`, token, { headers: { Accept: 'text/event-stream' }, signal });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value.replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const type = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          if (data && (type === undefined || STATUSES.includes(type))) yield JSON.parse(data);
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  /** The job's status once final: server-sent events, then polling with backoff if the stream breaks. */
  async waitUntilFinal(token, job, { signal, timeoutMs = 300_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    try {
      for await (const state of this.events(token, job, { signal })) {
        if (FINAL_STATUSES.includes(state.status)) return state;
      }
    } catch (e) {
      if (e instanceof PixerveError || signal?.aborted) throw e;
    }
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      const state = await this.status(token, job);
      if (FINAL_STATUSES.includes(state.status)) return state;
      if (Date.now() + delay > deadline) throw new Error(`job still ${state.status} after ${timeoutMs} ms`);
      await sleep(delay, signal);
    }
  }

  /** A directHost output, served at /files/{subDir}/{name}. */
  async download(subDir, name) {
    const path = `${subDir}/${name}`.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    const response = await this.#fetchOk(`/files/${path}`, null);
    return new Uint8Array(await response.arrayBuffer());
  }

  async #json(path, token, init) {
    return (await this.#fetchOk(path, token, init)).json();
  }

  async #fetchOk(path, token, init = {}, absolute = false) {
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const response = await this.#fetch(absolute ? path : `${this.#base}${path}`, { ...init, headers });
    if (response.ok) return response;
    const text = await response.text();
    let problem;
    try { problem = text ? JSON.parse(text) : {}; } catch { problem = { detail: text }; }
    throw new PixerveError(response.status, problem);
  }
}

// What tus-js-client reads: in a browser a Blob; on Node (its Node build, which takes no Blob) a Buffer or a stream.
// Bytes go as a Blob in a browser and as a Buffer over the same memory on Node; a Blob on Node is read into a Buffer
// (an fs.ReadStream is what streams from disk there).
const onNode = typeof globalThis.process?.versions?.node === 'string' && typeof globalThis.Buffer === 'function';
async function sourceOf(file) {
  const bytes = file instanceof ArrayBuffer ? new Uint8Array(file) : file;
  if (!onNode) return bytes instanceof Uint8Array ? new Blob([bytes]) : bytes;
  const { Buffer } = globalThis;
  if (bytes instanceof Uint8Array) return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes instanceof Blob) return Buffer.from(await bytes.arrayBuffer());
  return bytes;
}

// The job from the Pixerve-* headers of a tus answer (the last PATCH's, or a HEAD's once complete); null without them.
function answerOf(response) {
  const header = (name) => response?.getHeader(name) ?? null;
  if (!header('Pixerve-Hash')) return null;
  return {
    hash: header('Pixerve-Hash'),
    job_id: header('Pixerve-Job-Id'),
    expected_files: (header('Pixerve-Expected-Files') ?? '').split(',').map((n) => n.trim()).filter(Boolean),
    status: header('Pixerve-Status'),
  };
}

// tus-js-client's error as a PixerveError when the gateway answered a problem; a transport error stays as it is.
function refusalOf(error) {
  const response = error?.originalResponse;
  const status = response?.getStatus() ?? 0;
  if (status < 400) return error;
  const text = response.getBody() ?? '';
  let problem;
  try { problem = text ? JSON.parse(text) : {}; } catch { problem = { detail: text }; }
  const refusal = new PixerveError(status, problem);
  refusal.cause = error;
  return refusal;
}
