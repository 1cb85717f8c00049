// The upload page: Uppy's Dashboard sends photos over tus to the gateway's /uploads, then each job's progress is
// read from /events (fetch, since EventSource cannot send the job token) and drawn as a card: the ThumbHash
// placeholder when the source is described, one slot per output as it is done, and the finished outputs.
// The same bundle mounts on the gateway's own page (GET /) and on any other origin the gateway allows (CORS).
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import Tus from '@uppy/tus';
import { thumbHashToDataURL } from 'thumbhash';

const FINAL = new Set(['completed', 'failed', 'cancelled']);
// The gateway keeps 4 /events streams per token subject open (Pixerve:Limits:MaxEventStreamsPerSubject): one is left
// for another tab or a client of the same token.
const MAX_STREAMS = 3;

/** Mounts the uploader into `root`. `gateway` is the gateway's base URL ('' = this origin). */
export function mount(root, options = {}) {
  const gateway = String(options.gateway ?? '').replace(/\/+$/, '');
  const chunkSize = Number(options.chunkSize) > 0 ? Number(options.chunkSize) : 5 * 1024 * 1024;
  root.classList.add('pxu');
  root.replaceChildren();

  const tokenField = el('div', 'pxu-token');
  const tokenLabel = el('label', 'pxu-label', 'Job token');
  const tokenInput = el('textarea', 'pxu-token-input');
  tokenInput.id = `pxu-token-${Math.random().toString(36).slice(2)}`;
  tokenLabel.htmlFor = tokenInput.id;
  tokenInput.rows = 3;
  tokenInput.spellcheck = false;
  tokenInput.autocomplete = 'off';
  tokenInput.placeholder = 'Paste the job token (a JWT whose job claim says what to make of the photos)';
  tokenInput.value = options.token ?? '';
  const tokenInfo = el('p', 'pxu-token-info');
  tokenField.append(tokenLabel, tokenInput, tokenInfo);

  const dashboard = el('div', 'pxu-dashboard');
  const jobsHeader = el('div', 'pxu-jobs-header');
  const jobsTitle = el('h2', 'pxu-jobs-title', 'Jobs');
  const jobsCount = el('span', 'pxu-jobs-count', '');
  jobsHeader.append(jobsTitle, jobsCount);
  const jobs = el('div', 'pxu-jobs');
  const empty = el('p', 'pxu-empty', 'Each photo you drop becomes a job: its upload, its conversion and its outputs show here.');
  jobs.append(empty);
  const side = el('section', 'pxu-side');
  side.append(tokenField, dashboard);
  const list = el('section', 'pxu-list');
  list.append(jobsHeader, jobs);
  root.append(side, list);

  const token = () => tokenInput.value.trim();
  const describeToken = () => {
    const claim = readClaim(token());
    tokenInfo.replaceChildren();
    tokenInfo.classList.toggle('pxu-warn', Boolean(claim.problem));
    tokenInfo.textContent = claim.problem ?? claim.summary;
  };
  tokenInput.addEventListener('input', describeToken);
  describeToken();

  const uppy = new Uppy({
    autoProceed: true,
    restrictions: { allowedFileTypes: ['image/*', '.heic', '.heif', '.avif', '.webp', '.jpg', '.jpeg', '.png', '.gif'] },
    onBeforeUpload: (files) => {
      if (token()) return files;
      uppy.info('Paste a job token first, then press Upload', 'error', 5000);
      tokenInput.focus();
      return false;
    },
  });
  uppy.use(Dashboard, {
    target: dashboard,
    inline: true,
    height: 380,
    width: '100%',
    theme: 'light',
    proudlyDisplayPoweredByUppy: false,
    showProgressDetails: true,
    hideProgressDetails: false,
    note: `Sent in ${Math.round(chunkSize / 1e6)} MB chunks over tus: a broken connection resumes where it stopped.`,
  });
  uppy.use(Tus, {
    endpoint: `${gateway}/uploads`,
    chunkSize,
    limit: 3,
    retryDelays: [0, 1000, 3000, 5000],
    removeFingerprintOnSuccess: true,
    allowedMetaFields: ['name', 'type'],
    headers: () => ({ Authorization: `Bearer ${token()}` }),
    // A problem (4xx) is final: the answer says why, and sending the same bytes again changes nothing.
    onShouldRetry: (error, attempt, opts, next) => {
      const status = error?.originalResponse?.getStatus?.();
      if (status >= 400 && status < 500 && status !== 409 && status !== 423 && status !== 429) return false;
      return next(error);
    },
  });

  const cards = new Map();
  const streams = semaphore(MAX_STREAMS);
  const updateCount = () => {
    const all = [...cards.values()];
    const done = all.filter((c) => c.status === 'completed').length;
    jobsCount.textContent = all.length ? `${done} of ${all.length} done` : '';
    empty.hidden = all.length > 0;
  };

  uppy.on('file-added', (file) => {
    const card = new JobCard(file, gateway);
    cards.set(file.id, card);
    jobs.prepend(card.element);
    updateCount();
  });
  uppy.on('file-removed', (file) => {
    const card = cards.get(file.id);
    if (card && !card.hash) {
      card.element.remove();
      cards.delete(file.id);
      updateCount();
    }
  });
  uppy.on('upload-progress', (file, progress) => {
    cards.get(file?.id)?.uploadProgress(progress.bytesUploaded, progress.bytesTotal);
  });
  uppy.on('upload-error', (file, error, response) => {
    cards.get(file?.id)?.uploadFailed(problemOf(error, response));
  });
  uppy.on('upload-success', async (file, response) => {
    const card = cards.get(file?.id);
    if (!card) return;
    card.uploadProgress(1, 1);
    const bearer = token();
    try {
      const job = await jobOf(response, bearer);
      card.accepted(job);
      updateCount();
      card.onChange = updateCount;
      await streams.run(() => watch(gateway, job, bearer, card));
    } catch (error) {
      card.fail(error.message ?? String(error));
    }
    updateCount();
  });

  return { uppy, setToken: (value) => { tokenInput.value = value; describeToken(); } };
}

/** The job an upload made: the headers of the answer that brought its last byte, else GET /uploads/{id}. */
async function jobOf(response, bearer) {
  const xhr = response?.body?.xhr;
  const header = (name) => (xhr && typeof xhr.getResponseHeader === 'function' ? xhr.getResponseHeader(name) : null);
  const hash = header('Pixerve-Hash');
  const jobId = header('Pixerve-Job-Id');
  if (hash && jobId) {
    const expected = (header('Pixerve-Expected-Files') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return { hash, job_id: jobId, status: header('Pixerve-Status') ?? 'pending', expected_files: expected };
  }
  if (!response?.uploadURL) throw new Error('the gateway named no job for this upload');
  const answer = await fetch(response.uploadURL, { headers: { Authorization: `Bearer ${bearer}` } });
  if (!answer.ok) throw new Error(await problemText(answer));
  return answer.json();
}

/** Follows the job's /events stream until a final state, reconnecting after a broken stream or a 429/503. */
async function watch(gateway, job, bearer, card) {
  const query = new URLSearchParams({ hash: job.hash, job_id: job.job_id });
  let wait = 500;
  while (!FINAL.has(card.status)) {
    let response;
    try {
      response = await fetch(`${gateway}/events?${query}`, {
        headers: { Authorization: `Bearer ${bearer}`, Accept: 'text/event-stream' },
      });
    } catch {
      card.note('connection lost, retrying…');
      await delay(wait);
      wait = Math.min(wait * 2, 10000);
      continue;
    }
    if (response.status === 429 || response.status === 503) {
      const after = Number(response.headers.get('Retry-After'));
      card.note(response.status === 429 ? 'waiting for a free progress stream…' : 'the gateway is busy, retrying…');
      await delay(after > 0 ? after * 1000 : wait);
      wait = Math.min(wait * 2, 10000);
      continue;
    }
    if (!response.ok) {
      card.fail(await problemText(response));
      return;
    }
    card.note('');
    wait = 500;
    try {
      for await (const event of serverSentEvents(response.body)) {
        card.event(event.type, event.data);
        if (FINAL.has(card.status)) break;
      }
    } catch {
      // The stream broke (a gateway restarting, a proxy's timeout): open another; its first event is the state now.
    }
    if (!FINAL.has(card.status)) await delay(wait);
  }
}

/** Parses a text/event-stream body: yields `{type, data}` with data parsed as JSON. */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer = (buffer + value).replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') type = text;
          else if (field === 'data') data.push(text);
        }
        if (!data.length) continue;
        let parsed;
        try {
          parsed = JSON.parse(data.join('\n'));
        } catch {
          continue;
        }
        yield { type, data: parsed };
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** One job's card: upload, conversion, placeholder, outputs. State is mirrored in data-* attributes. */
class JobCard {
  constructor(file, gateway) {
    this.gateway = gateway;
    this.status = 'uploading';
    this.hash = null;
    this.outputs = new Map();
    this.steps = [];
    this.events = [];
    this.onChange = () => {};

    const card = el('article', 'pxu-card');
    card.dataset.fileId = file.id;
    card.dataset.status = 'uploading';
    card.dataset.uploadPercent = '0';
    card.dataset.steps = '';

    this.preview = el('div', 'pxu-preview');
    this.placeholder = el('img', 'pxu-placeholder');
    this.placeholder.alt = '';
    this.placeholder.hidden = true;
    this.finalImage = el('img', 'pxu-final');
    this.finalImage.alt = file.name;
    this.finalImage.hidden = true;
    this.finalImage.addEventListener('load', () => this.finalImage.classList.add('pxu-shown'));
    this.preview.append(this.placeholder, this.finalImage);

    const head = el('header', 'pxu-card-head');
    const title = el('h3', 'pxu-name', file.name);
    title.title = file.name;
    this.badge = el('span', 'pxu-badge', 'uploading');
    head.append(title, this.badge);

    this.facts = el('p', 'pxu-facts', formatBytes(file.size));
    this.uploadBar = bar('Upload');
    this.convertBar = bar('Conversion');
    this.convertBar.row.hidden = true;
    this.message = el('p', 'pxu-message');
    this.message.hidden = true;
    this.ids = el('p', 'pxu-ids');

    const body = el('div', 'pxu-card-body');
    body.append(head, this.facts, this.uploadBar.row, this.convertBar.row, this.message, this.ids);
    const top = el('div', 'pxu-card-top');
    top.append(this.preview, body);
    this.list = el('ul', 'pxu-outputs');
    card.append(top, this.list);
    this.element = card;
    this.size = file.size;
  }

  setStatus(status) {
    this.status = status;
    this.element.dataset.status = status;
    this.badge.textContent = status === 'processing' && this.total ? `converting ${this.done ?? 0}/${this.total}` : status;
    this.badge.dataset.status = status;
    this.onChange();
  }

  uploadProgress(sent, total) {
    const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
    const shown = Math.max(percent, Number(this.element.dataset.uploadPercent));
    this.element.dataset.uploadPercent = String(shown);
    this.uploadBar.set(shown / 100, `${shown} %`);
  }

  uploadFailed(text) {
    this.uploadBar.row.classList.add('pxu-bad');
    this.element.dataset.uploadError = text;
    this.fail(`upload failed: ${text}`);
  }

  accepted(job) {
    this.hash = job.hash;
    this.element.dataset.hash = job.hash;
    this.element.dataset.jobId = job.job_id;
    this.ids.textContent = `hash ${short(job.hash)} · job ${short(job.job_id)}`;
    this.ids.title = `hash ${job.hash}\njob ${job.job_id}`;
    this.total = job.expected_files?.length ?? 0;
    for (const name of job.expected_files ?? []) this.slot(name);
    this.convertBar.row.hidden = false;
    this.convertBar.set(0, this.total ? `0 / ${this.total}` : 'waiting');
    this.setStatus(job.status === 'processing' ? 'processing' : 'pending');
  }

  /** One server-sent event of the job's stream. */
  event(type, data) {
    this.events.push(type);
    this.element.dataset.events = this.events.join(' ');
    if (type === 'source') {
      this.showSource(data.source);
    } else if (type === 'output_done') {
      this.outputDone(data);
    } else if (data && typeof data.status === 'string') {
      this.state(data);
    }
  }

  state(job) {
    if (job.source) this.showSource(job.source);
    if (Array.isArray(job.outputs)) for (const output of job.outputs) this.showOutput(output);
    if (job.status === 'completed') {
      this.done = this.total = Math.max(this.total ?? 0, job.outputs?.length ?? 0);
      this.convertBar.set(1, `${this.total} / ${this.total}`);
      this.setStatus('completed');
      this.showFinal();
    } else if (job.status === 'failed' || job.status === 'cancelled') {
      this.fail(job.error ?? job.status, job.status);
    } else {
      this.setStatus(job.status);
      if (job.status === 'processing') this.note(job.attempts > 1 ? `attempt ${job.attempts}` : '');
    }
  }

  showSource(source) {
    if (!source || this.sourceShown) return;
    this.sourceShown = true;
    this.dominant = source.dominant_color ?? null;
    this.element.dataset.source = `${source.width}x${source.height}`;
    if (source.dominant_color) this.preview.style.backgroundColor = source.dominant_color;
    if (source.width > 0 && source.height > 0) this.preview.style.aspectRatio = `${source.width} / ${source.height}`;
    if (source.thumbhash) {
      try {
        const bytes = Uint8Array.from(atob(source.thumbhash), (c) => c.charCodeAt(0));
        this.placeholderUrl = thumbHashToDataURL(bytes);
        this.placeholder.src = this.placeholderUrl;
        this.placeholder.hidden = false;
        for (const slot of this.outputs.values()) this.paintPlaceholder(slot);
        this.element.dataset.placeholder = 'thumbhash';
      } catch {
        // A placeholder is decoration: the dominant colour stays.
      }
    }
    const frames = source.frames > 1 ? ` · ${source.frames} frames` : '';
    this.facts.replaceChildren(
      document.createTextNode(`${formatBytes(this.size)} · ${source.format} ${source.width}×${source.height}${frames}`),
    );
    if (source.dominant_color) {
      const swatch = el('span', 'pxu-swatch');
      swatch.style.backgroundColor = source.dominant_color;
      swatch.title = `dominant colour ${source.dominant_color}`;
      this.facts.append(swatch);
    }
  }

  outputDone(output) {
    // A stream opened again sends the outputs made so far once more.
    if ((output.done ?? 0) <= (this.done ?? 0)) {
      this.showOutput(output);
      return;
    }
    this.done = output.done;
    this.total = output.total ?? this.total;
    this.steps.push(`${output.done}/${output.total}`);
    this.element.dataset.steps = this.steps.join(' ');
    this.element.dataset.outputsDone = String(this.done);
    this.convertBar.set(this.total ? this.done / this.total : 0, `${this.done} / ${this.total}`);
    if (!FINAL.has(this.status)) this.setStatus('processing');
    this.showOutput(output);
  }

  slot(name) {
    let slot = this.outputs.get(name);
    if (slot) return slot;
    const item = el('li', 'pxu-output');
    item.dataset.name = name;
    item.dataset.state = 'waiting';
    const frame = el('div', 'pxu-thumb');
    const image = el('img');
    image.alt = name;
    image.hidden = true;
    image.decoding = 'async';
    image.addEventListener('load', () => {
      item.dataset.naturalWidth = String(image.naturalWidth);
      item.dataset.naturalHeight = String(image.naturalHeight);
      item.dataset.state = 'loaded';
      image.hidden = false;
      const frame = item.querySelector('.pxu-thumb');
      frame.style.backgroundImage = '';
      frame.style.backgroundColor = '';
      slot.size.textContent = `${image.naturalWidth}×${image.naturalHeight}`;
    });
    image.addEventListener('error', () => {
      item.dataset.state = 'error';
    });
    frame.append(image);
    const label = el('span', 'pxu-output-name', outputLabel(name));
    label.title = name;
    const meta = el('span', 'pxu-output-meta');
    const format = el('span', 'pxu-format', '');
    const size = el('span', 'pxu-dims', '…');
    const bytes = el('span', 'pxu-bytes', '');
    meta.append(format, size, bytes);
    item.append(frame, label, meta);
    this.list.append(item);
    slot = { item, image, format, size, bytes };
    this.outputs.set(name, slot);
    return slot;
  }

  /** A finished output's frame shows the placeholder until its image has loaded. */
  paintPlaceholder(slot) {
    if (slot.item.dataset.state !== 'done') return;
    const frame = slot.item.querySelector('.pxu-thumb');
    if (this.placeholderUrl) frame.style.backgroundImage = `url("${this.placeholderUrl}")`;
    else if (this.dominant) frame.style.backgroundColor = this.dominant;
  }

  showOutput(output) {
    const slot = this.slot(output.name);
    const { item } = slot;
    if (item.dataset.state === 'waiting') {
      item.dataset.state = 'done';
      this.paintPlaceholder(slot);
    }
    item.dataset.format = output.format;
    item.dataset.width = String(output.width);
    item.dataset.height = String(output.height);
    item.dataset.bytes = String(output.bytes);
    slot.format.textContent = output.format;
    if (!slot.image.src) slot.size.textContent = `${output.width}×${output.height}`;
    slot.bytes.textContent = formatBytes(output.bytes);
    slot.bytes.title = `${output.bytes} bytes`;
    const direct = (output.locations ?? []).find((l) => l.backend === 'direct' && l.location?.startsWith('/files/'));
    if (direct && !slot.image.src) {
      const url = `${this.gateway}${direct.location}`;
      slot.image.src = url;
      const link = el('a', 'pxu-open');
      link.href = url;
      link.target = '_blank';
      link.rel = 'noopener';
      link.title = `open ${output.name}`;
      slot.image.replaceWith(link);
      link.append(slot.image);
    } else if (!direct && output.locations?.length && !item.querySelector('.pxu-where')) {
      const where = el('span', 'pxu-where', output.locations.map((l) => l.backend).join(', '));
      where.title = output.locations.map((l) => l.location).join('\n');
      item.querySelector('.pxu-thumb').append(where);
    }
  }

  /** The preview turns from placeholder to the smallest served output at least as wide as the preview. */
  showFinal() {
    const served = [...this.outputs.values()].filter((s) => s.image.src && s.item.dataset.format !== 'original');
    if (!served.length) return;
    served.sort((a, b) => Number(a.item.dataset.width) - Number(b.item.dataset.width));
    const pick = served.find((s) => Number(s.item.dataset.width) >= 320) ?? served[served.length - 1];
    this.finalImage.src = pick.image.src;
    this.finalImage.hidden = false;
  }

  note(text) {
    this.message.hidden = !text;
    this.message.textContent = text;
    this.message.classList.remove('pxu-bad');
  }

  fail(text, status = 'failed') {
    this.element.dataset.error = text;
    this.message.hidden = false;
    this.message.textContent = text;
    this.message.classList.add('pxu-bad');
    this.setStatus(status === 'cancelled' ? 'cancelled' : this.hash ? 'failed' : 'error');
  }
}

/** What a refused or broken upload says: the problem's detail or title, else the error's message. */
function problemOf(error, response) {
  const xhr = response?.body?.xhr ?? error?.originalResponse?.getUnderlyingObject?.();
  const status = response?.status ?? error?.originalResponse?.getStatus?.();
  const text = typeof xhr?.responseText === 'string' ? xhr.responseText : error?.originalResponse?.getBody?.();
  if (text) {
    try {
      const problem = JSON.parse(text);
      if (problem.detail || problem.title) return `${status ?? ''} ${problem.detail ?? problem.title}`.trim();
    } catch {
      // not a problem document
    }
  }
  if (!status) return 'the gateway could not be reached (is this origin allowed by Pixerve:Cors:AllowedOrigins?)';
  return error?.message?.split('\n')[0] ?? String(error);
}

async function problemText(response) {
  try {
    const problem = await response.json();
    return `${response.status} ${problem.detail ?? problem.title ?? ''}`.trim();
  } catch {
    return `${response.status} ${response.statusText}`.trim();
  }
}

/** The token's job claim, read (not verified: the gateway does that) to say what the page will make. */
function readClaim(token) {
  if (!token) return { problem: 'No token: paste one to upload.' };
  const parts = token.split('.');
  if (parts.length !== 3) return { problem: 'This is not a JWT (three parts separated by dots).' };
  let payload;
  try {
    payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
  } catch {
    return { problem: 'The token\'s payload is not readable JSON.' };
  }
  const job = typeof payload.job === 'string' ? safeParse(payload.job) : payload.job;
  const bits = [];
  if (job && typeof job === 'object') {
    const formats = Object.entries(job.formats ?? {}).map(([name, format]) => {
      const sizes = (format?.sizes ?? []).map((s) => (Array.isArray(s) ? s.join('×') : String(s)));
      return sizes.length ? `${name} ${sizes.join(', ')}` : name;
    });
    if (formats.length) bits.push(formats.join(' · '));
    if (job.keepOriginal) bits.push('original kept');
    bits.push(job.directHost ? `served from /files/${job.subDir ? `${job.subDir}/` : ''}` : 'stored to its backends');
  }
  if (typeof payload.exp === 'number') {
    const left = payload.exp * 1000 - Date.now();
    if (left <= 0) return { problem: `This token expired ${new Date(payload.exp * 1000).toLocaleString()}: mint a new one.` };
    bits.push(`expires in ${left > 5400000 ? `${Math.round(left / 3600000)} h` : `${Math.max(1, Math.round(left / 60000))} min`}`);
  }
  return { summary: bits.join(' — ') };
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function semaphore(limit) {
  let running = 0;
  const waiting = [];
  return {
    async run(task) {
      if (running >= limit) await new Promise((resolve) => waiting.push(resolve));
      running++;
      try {
        return await task();
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
  };
}

function bar(name) {
  const row = el('div', 'pxu-bar');
  const label = el('span', 'pxu-bar-label', name);
  const track = el('span', 'pxu-bar-track');
  const fill = el('span', 'pxu-bar-fill');
  track.append(fill);
  const value = el('span', 'pxu-bar-value', '');
  row.append(label, track, value);
  return {
    row,
    set(fraction, text) {
      fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
      value.textContent = text;
      row.classList.toggle('pxu-full', fraction >= 1);
    },
  };
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** An output's name without the leading content hash: `photo_400_400_.webp`. */
function outputLabel(name) {
  return name.replace(/^[0-9a-f]{64}_/, '');
}

function short(id) {
  return id && id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-4)}` : id ?? '';
}

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit++;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A page that marks an element with data-pixerve-upload gets the uploader without a script of its own (the
// gateway's page: its CSP allows no inline script). data-gateway, data-token and data-chunk-size are its options.
function autoMount() {
  for (const root of document.querySelectorAll('[data-pixerve-upload]')) {
    if (root.dataset.pixerveMounted) continue;
    root.dataset.pixerveMounted = 'true';
    mount(root, { gateway: root.dataset.gateway ?? '', token: root.dataset.token ?? '', chunkSize: root.dataset.chunkSize });
  }
}

window.PixerveUpload = { mount };
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoMount);
else autoMount();
