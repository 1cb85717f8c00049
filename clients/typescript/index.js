// Pixerve client: job tokens (WebCrypto) and the HTTP API (fetch). Runs on Node 20+ and in browsers; no dependencies.
// Types: index.d.ts, written from openapi/pixerve.v1.json.

export const FINAL_STATUSES = Object.freeze(['completed', 'failed', 'cancelled']);

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
    const form = new FormData();
    if (formToken) form.append('token', token); // the seed's form field, before the file parts
    for (const file of files) {
      if (file instanceof Blob) form.append('file', file, file.name ?? 'upload');
      else form.append('file', file.data instanceof Blob ? file.data : new Blob([file.data]), file.name);
    }
    return this.#json('/upload', formToken ? null : token, { method: 'POST', body: form });
  }

  status(token, job) { return this.#json(`/status${query(job)}`, token); }
  cancel(token, job) { return this.#json(`/cancel${query(job)}`, token, { method: 'DELETE' }); }
  success(token, job) { return this.#json(`/success${query(job)}`, token); }
  failures(token, job) { return this.#json(`/failures${query(job)}`, token); }

  /** The job's states from the server-sent events of /events; ends after a final state. */
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
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          if (data) yield JSON.parse(data);
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

  async #fetchOk(path, token, init = {}) {
    const headers = new Headers(init.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const response = await this.#fetch(`${this.#base}${path}`, { ...init, headers });
    if (response.ok) return response;
    const text = await response.text();
    let problem;
    try { problem = text ? JSON.parse(text) : {}; } catch { problem = { detail: text }; }
    throw new PixerveError(response.status, problem);
  }
}
