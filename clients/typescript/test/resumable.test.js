// Resumable uploads (tus 1.0 on /uploads, tus-js-client) against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and
// PIXERVE_TEST_IMAGE (clients/test.sh sets them). Drops are made by clients/cut-proxy.py, a loopback proxy that resets
// the connection once in the middle of a PATCH body and logs every request it forwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PixerveClient, mintToken } from '../dist/index.js';

const { PIXERVE_URL: url, PIXERVE_JWT_SECRET: secret, PIXERVE_TEST_IMAGE: image } = process.env;
// Without a gateway these tests fail rather than skip (see gateway.test.js); PIXERVE_SKIP_GATEWAY_TESTS=1 skips them.
const skip = !(url && secret && image) && process.env.PIXERVE_SKIP_GATEWAY_TESTS === '1' && 'PIXERVE_SKIP_GATEWAY_TESTS=1';
if (!(url && secret && image) && !skip) {
  throw new Error('PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, ' +
    'or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway');
}
const job = { formats: { jpg: { sizes: [[400]] } }, directHost: true, subDir: 'typescript-client' };
const chunk = 256 * 1024;
const size = 3 * 1024 * 1024 + 12345; // a few MB in 13 chunks, the last one short
const cut = 5 * chunk + 100_000; // in the middle of the sixth chunk
const token = () => mintToken(secret, job, { sub: 'typescript-tests' });

// The photo padded with random bytes to `size` (decoders ignore what follows the JPEG end marker: a new hash), as a
// file: its path and SHA-256.
async function photoFile(t) {
  const photo = await readFile(image);
  const data = Buffer.concat([photo, randomBytes(size - photo.length)]);
  const directory = await mkdtemp(join(tmpdir(), 'pixerve-resumable-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, 'resumable-photo.jpg');
  await writeFile(path, data);
  return { path, sha256: createHash('sha256').update(data).digest('hex') };
}

// clients/cut-proxy.py in front of the gateway: resets the connection after `cutAfter` PATCH body bytes, once.
async function cutProxy(t, cutAfter) {
  const directory = await mkdtemp(join(tmpdir(), 'pixerve-proxy-'));
  const log = join(directory, 'requests.jsonl');
  const proxy = spawn('python3', [new URL('../../cut-proxy.py', import.meta.url).pathname, url, String(cutAfter), log], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(async () => { proxy.stdin.end(); await rm(directory, { recursive: true, force: true }); }); // it ends with its stdin
  const [port] = await createInterface({ input: proxy.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value]);
  return {
    url: `http://127.0.0.1:${port}`,
    requests: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line)),
  };
}

async function assertCompleted(client, answer, sha256) {
  assert.equal(answer.hash, sha256);
  assert.equal(answer.job_id.length, 64);
  assert.deepEqual(answer.expected_files, [`${sha256}_resumable-photo_400_400_.jpg`]);
  const final = await new PixerveClient(url).waitUntilFinal(await token(), { hash: answer.hash }, { timeoutMs: 120_000 });
  assert.deepEqual([final.status, final.job_id], ['completed', answer.job_id], final.error ?? '');
}

// One upload created, one interrupted PATCH (cut by the proxy, or aborted with part of its body sent), a HEAD after
// it, and the next PATCH at an offset the gateway had: at most the interrupted chunk's bytes were sent again (none
// skipped: the hash checks that).
function assertResumedFromTheServersOffset(t, requests) {
  assert.deepEqual(requests.filter((r) => r.error), []);
  assert.equal(requests.filter((r) => r.method === 'POST').length, 1, JSON.stringify(requests));
  const broken = requests.map((r, i) => [r, i]).filter(([r]) => r.method === 'PATCH' && (r.cut || r.sent < r.length));
  assert.equal(broken.length, 1, JSON.stringify(requests));
  const [interrupted, at] = broken[0];
  const after = requests.slice(at + 1);
  assert.ok(after.some((r) => r.method === 'HEAD'), JSON.stringify(requests));
  const resumed = after.find((r) => r.method === 'PATCH');
  assert.ok(resumed.offset >= interrupted.offset && resumed.offset <= interrupted.offset + interrupted.sent, JSON.stringify([interrupted, resumed]));
  const patches = requests.filter((r) => r.method === 'PATCH');
  assert.ok(patches.every((r) => r.length <= chunk), JSON.stringify(patches));
  const resent = patches.reduce((sum, r) => sum + r.sent, 0) - size;
  assert.ok(resent >= 0 && resent <= interrupted.sent, `re-sent ${resent} bytes; the interrupted chunk got ${interrupted.sent} through`);
  t.diagnostic(`interrupted at ${interrupted.offset} after ${interrupted.sent} bytes of its chunk; resumed at ${resumed.offset}; ${resent} bytes sent again`);
}

test('uploadResumable sends a file from disk in small chunks', { skip }, async (t) => {
  const { path, sha256 } = await photoFile(t);
  const client = new PixerveClient(url);
  const progress = [];
  const answer = await client.uploadResumable(createReadStream(path), await token(), { chunkSize: chunk, onProgress: (sent, total) => progress.push([sent, total]) });
  await assertCompleted(client, answer, sha256);
  assert.ok(progress.length >= 13, `${progress.length} progress calls`);
  assert.ok(progress.every(([, total]) => total === size));
  assert.deepEqual(progress.map(([sent]) => sent), progress.map(([sent]) => sent).sort((a, b) => a - b)); // never backwards without a drop
  assert.deepEqual(progress.at(-1), [size, size]);
});

test('uploadResumable goes on from the server\'s offset after a dropped connection', { skip }, async (t) => {
  const { path, sha256 } = await photoFile(t);
  const proxy = await cutProxy(t, cut);
  const client = new PixerveClient(proxy.url);
  let last;
  const answer = await client.uploadResumable(createReadStream(path), await token(), { chunkSize: chunk, onProgress: (sent) => { last = sent; } });
  assert.equal(last, size);
  assertResumedFromTheServersOffset(t, await proxy.requests());
  await assertCompleted(client, answer, sha256);
});

test('an upload left unfinished by a drop goes on from its uploadUrl', { skip }, async (t) => {
  const { path, sha256 } = await photoFile(t);
  const proxy = await cutProxy(t, cut);
  const client = new PixerveClient(proxy.url);
  const urls = [];
  await assert.rejects(client.uploadResumable(createReadStream(path), await token(), { chunkSize: chunk, retryDelays: null, onUploadUrl: (u) => urls.push(u) }),
    (e) => e.name !== 'PixerveError');
  assert.equal(urls.length, 1);
  // Later, with a new token of the same sub and job claim, through the same proxy (it cuts no more).
  const answer = await client.uploadResumable(createReadStream(path), await token(), { chunkSize: chunk, uploadUrl: urls[0] });
  assertResumedFromTheServersOffset(t, await proxy.requests());
  await assertCompleted(client, answer, sha256);
});

test('an aborted upload goes on by its fingerprint in urlStorage', { skip }, async (t) => {
  const { path, sha256 } = await photoFile(t);
  const proxy = await cutProxy(t, Number.MAX_SAFE_INTEGER); // counts, never cuts
  const client = new PixerveClient(proxy.url);
  // The shape of tus-js-client's FileUrlStorage, in memory.
  const stored = new Map();
  const urlStorage = {
    findAllUploads: async () => [...stored.values()],
    findUploadsByFingerprint: async (fingerprint) => [...stored.entries()].filter(([key]) => key.startsWith(`${fingerprint}::`)).map(([, u]) => u),
    removeUpload: async (key) => { stored.delete(key); },
    addUpload: async (fingerprint, upload) => { const key = `${fingerprint}::${stored.size}`; stored.set(key, { ...upload, urlStorageKey: key }); return key; },
  };
  const controller = new AbortController();
  const first = client.uploadResumable(createReadStream(path), await token(), {
    chunkSize: chunk, urlStorage, signal: controller.signal, onProgress: (sent) => { if (sent > cut) controller.abort(); },
  });
  await assert.rejects(first, { name: 'AbortError' });
  assert.equal(stored.size, 1);
  const answer = await client.uploadResumable(createReadStream(path), await token(), { chunkSize: chunk, urlStorage });
  assert.equal(stored.size, 0); // forgotten once complete
  const requests = await proxy.requests();
  // An abort once a PATCH's body has gone out whole (its answer not read yet) cuts no body: then nothing goes twice.
  if (!requests.some((r) => r.method === 'PATCH' && r.sent < r.length)) {
    const patches = requests.filter((r) => r.method === 'PATCH');
    assert.equal(patches.reduce((sum, r) => sum + r.sent, 0), size);
  } else {
    assertResumedFromTheServersOffset(t, requests);
  }
  assert.equal(requests.filter((r) => r.method === 'POST').length, 1);
  await assertCompleted(client, answer, sha256);
});
