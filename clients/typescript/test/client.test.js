// The behaviour table every client shares (issue 27), against the real gateways clients/test.sh starts: PIXERVE_URL,
// PIXERVE_HELD_URL (its silo is paused: every job there stays pending), PIXERVE_JWT_SECRET, PIXERVE_TEST_IMAGE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PixerveClient, PixerveError, PixerveNetworkError, PixerveTimeoutError, mintToken,
} from '../dist/index.js';

const { PIXERVE_URL: url, PIXERVE_HELD_URL: heldUrl, PIXERVE_JWT_SECRET: secret, PIXERVE_TEST_IMAGE: image } = process.env;
// Without the gateways these tests fail rather than skip (see gateway.test.js); PIXERVE_SKIP_GATEWAY_TESTS=1 skips them.
const skip = !(url && heldUrl && secret && image) && process.env.PIXERVE_SKIP_GATEWAY_TESTS === '1' && 'PIXERVE_SKIP_GATEWAY_TESTS=1';
if (!(url && heldUrl && secret && image) && !skip) {
  throw new Error('PIXERVE_URL, PIXERVE_HELD_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, ' +
    'or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway');
}
const subDir = `typescript-table-${randomBytes(4).toString('hex')}`; // a fresh place: no job of an earlier run is met
const client = new PixerveClient(url ?? 'http://127.0.0.1:1');
const photo = image ? await readFile(image) : Buffer.alloc(0);
// Other bytes, the same picture: decoders ignore what follows the JPEG end marker.
const unique = () => Buffer.concat([photo, randomBytes(16)]);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const token = (spec = { formats: { jpg: { sizes: [[400]] } } }) => mintToken(secret, { ...spec, directHost: true, subDir }, { sub: 'typescript-table' });

async function rejection(promise) {
  try { await promise; } catch (e) { return e; }
  assert.fail('expected a rejection');
}

// The test's own deadline: a bound that never fires fails the test instead of hanging the run.
test('waitUntilFinal on a job held pending times out within its bound + 1 s', { skip, timeout: 30_000 }, async () => {
  const t = await token();
  const held = new PixerveClient(heldUrl);
  const upload = await held.upload({ name: 'held.jpg', data: unique() }, t);
  assert.equal(upload.status, 'pending');
  // A backstop of the test's own: were timeoutMs never to fire, the wait still ends (as a failure, not a hang).
  const backstop = () => AbortSignal.timeout(8000);
  const started = performance.now();
  const e = await rejection(held.waitUntilFinal(upload.hash, t, { timeoutMs: 2000, signal: backstop() }));
  const elapsed = performance.now() - started;
  assert.ok(e instanceof PixerveTimeoutError, `${e?.name}: ${e?.message}`);
  assert.deepEqual([e.operation, e.timeoutMs], ['waitUntilFinal', 2000]);
  assert.match(e.message, /still pending/);
  assert.ok(elapsed >= 1900 && elapsed < 3000, `rejected after ${Math.round(elapsed)} ms`);
  // Not a failure of the server's: the job is there, still pending.
  assert.equal((await held.status(upload.hash, t)).status, 'pending');
  // The stream itself is bounded too, and a caller's abort ends a wait at once with the caller's reason.
  const events = [];
  const streamed = performance.now();
  const e2 = await rejection((async () => { for await (const event of held.events(upload.hash, t, { timeoutMs: 1000, signal: backstop() })) events.push(event); })());
  assert.ok(e2 instanceof PixerveTimeoutError && performance.now() - streamed < 2000, `${e2}`);
  assert.deepEqual(events.map((ev) => [ev.type, ev.status]), [['state', 'pending']]);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const aborted = performance.now();
  const e3 = await rejection(held.waitUntilFinal({ hash: upload.hash }, t, { signal: controller.signal }));
  assert.equal(e3.name, 'AbortError');
  assert.ok(performance.now() - aborted < 1300);
});

test('events yields typed states and progress; status is typed and ordered', { skip }, async () => {
  const t = await token({ formats: { jpg: { sizes: [[400], [200]] }, webp: { sizes: [[300]] } } });
  const upload = await client.upload({ name: 'events.jpg', data: unique() }, t);
  const events = [];
  for await (const event of client.events(upload.hash, t, { timeoutMs: 120_000 })) events.push(event);
  const states = events.filter((e) => e.type === 'state');
  assert.equal(states.at(-1).status, 'completed', JSON.stringify(states.at(-1)));
  assert.ok(states.every((e) => e.status === e.state.status && e.state.hash === upload.hash));
  const outputs = events.filter((e) => e.type === 'output_done');
  assert.deepEqual(outputs.map((e) => [e.name, e.done, e.total]), upload.expected_files.map((name, i) => [name, i + 1, 3]));
  const source = events.findIndex((e) => e.type === 'source');
  assert.ok(source >= 0 && source < events.indexOf(outputs[0]), events.map((e) => e.type).join(' '));
  assert.equal(events[source].source.width, 1920);
  const status = await client.status(upload.hash, t);
  assert.deepEqual(status.outputs.map((o) => o.name), upload.expected_files); // the server's order, the spec's order
  for (const at of [status.created_at, status.started_at, status.finished_at]) assert.ok(!Number.isNaN(new Date(at).getTime()), at);
  assert.ok(new Date(status.finished_at) >= new Date(status.created_at));
  assert.equal(status.attempts, 1);
  assert.equal(status.webhook, null); // no completionCallback
  const record = await client.success(upload.hash, t);
  assert.equal(record.status, 'success');
  assert.deepEqual([record.file_count, record.job_data.outputs.length], [3, 3]);
  assert.ok(Math.abs(new Date(record.timestamp).getTime() - new Date(status.finished_at).getTime()) < 1000, `${record.timestamp} ${status.finished_at}`);
});

test('a failed job: failures has its record, retry runs it again, retry of another job is 409', { skip }, async () => {
  const t = await token();
  const truncated = await readFile(new URL('hostile/truncated.jpg', `file://${image}`));
  const upload = await client.upload({ name: 'truncated.jpg', data: truncated }, t);
  const final = await client.waitUntilFinal(upload.hash, t, { timeoutMs: 60_000 });
  assert.equal(final.status, 'failed');
  const failure = await client.failures(upload.hash, t);
  assert.equal(failure.status, 'failed');
  assert.match(failure.error, /^source is not a decodable image/);
  assert.equal((await client.success(upload.hash, t)).status, 'not_found');
  const retried = await client.retry(upload.hash, t);
  assert.deepEqual([retried.retries, retried.error], [1, null]);
  assert.ok(['pending', 'processing'].includes(retried.status), retried.status);
  assert.equal((await client.waitUntilFinal(upload.hash, t, { timeoutMs: 60_000 })).status, 'failed');
  const done = await client.upload({ name: 'fine.jpg', data: unique() }, t);
  await client.waitUntilFinal(done.hash, t, { timeoutMs: 60_000 });
  const e = await rejection(client.retry({ job_id: done.job_id }, t));
  assert.ok(e instanceof PixerveError, `${e}`);
  assert.equal(e.status, 409);
  assert.match(e.detail, /only a failed job can be retried/);
  assert.equal(typeof e.type, 'string');
  assert.equal(typeof e.traceId, 'string');
});

test('no answer is a PixerveNetworkError wrapping the cause, never a raw TypeError', { skip }, async () => {
  // A port that was free a moment ago: nothing listens there.
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  const nowhere = new PixerveClient(`http://127.0.0.1:${port}`);
  const t = await token();
  const calls = {
    upload: () => nowhere.upload({ name: 'a.jpg', data: photo }, t),
    status: () => nowhere.status('h', t),
    events: async () => { for await (const _ of nowhere.events('h', t)) break; },
    waitUntilFinal: () => nowhere.waitUntilFinal('h', t, { timeoutMs: 5000 }),
  };
  for (const [name, call] of Object.entries(calls)) {
    const e = await rejection(call());
    if (name === 'waitUntilFinal') {
      // The stream broke, so it polls status, which gets no answer either.
      assert.ok(e instanceof PixerveNetworkError, `${name}: ${e}`);
      continue;
    }
    assert.ok(e instanceof PixerveNetworkError, `${name}: ${e?.name} ${e}`);
    assert.ok(!(e instanceof TypeError));
    assert.equal(e.operation, name);
    assert.match(`${e.message}`, /ECONNREFUSED/);
    assert.ok(e.cause, name);
  }
});

// A loopback TCP proxy in front of the gateway that notes, as each piece of the request arrives, how much of the
// source the client had read by then.
async function countingProxy(t, target, readSoFar) {
  const arrivals = [];
  let received = 0;
  const server = createServer((socket) => {
    const upstream = connect(Number(new URL(target).port), '127.0.0.1');
    socket.on('data', (chunk) => { received += chunk.length; arrivals.push([received, readSoFar()]); });
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${server.address().port}`, arrivals };
}

test('a 40 MB upload is on the wire before its source is read to the end', { skip, timeout: 180_000 }, async (t) => {
  const size = 40 * 1024 * 1024;
  const data = Buffer.concat([photo, randomBytes(size - photo.length)]);
  let read = 0;
  let reads = 0;
  // The instrumented source: 64 KiB at a time, counting what the client took and how often.
  async function* source() {
    for (let at = 0; at < size; at += 65536) {
      const piece = data.subarray(at, Math.min(at + 65536, size));
      reads += 1;
      read += piece.length;
      yield piece;
    }
  }
  const proxy = await countingProxy(t, url, () => read);
  const progress = [];
  const answer = await new PixerveClient(proxy.url).upload({ name: 'forty.jpg', data: source(), size }, await token(),
    { onProgress: (sent, total) => progress.push([sent, total]), timeoutMs: 120_000 });
  assert.equal(answer.hash, sha256(data));
  assert.equal(read, size);
  const [firstBytes, readThen] = proxy.arrivals[0];
  t.diagnostic(`first ${firstBytes} request bytes arrived with ${readThen} of ${size} read; ${reads} reads`);
  assert.ok(readThen < size / 4, `the request started only after ${readThen} of ${size} bytes were read`);
  // Halfway through the body at the gateway's side, the client had not read much more than that.
  const [, readAtHalf] = proxy.arrivals.find(([arrived]) => arrived >= size / 2);
  assert.ok(readAtHalf < size * 0.75, `with ${size / 2} bytes arrived, ${readAtHalf} had been read`);
  const sent = progress.map(([s]) => s);
  assert.deepEqual(sent, [...sent].sort((a, b) => a - b));
  assert.ok(progress.every(([, total]) => total === progress.at(-1)[1] && total > size));
  assert.equal(sent.at(-1), progress.at(-1)[1]);
});

test('a file on disk uploads by its path, streamed, with progress', { skip }, async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'pixerve-path-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const data = Buffer.concat([photo, randomBytes(3 * 1024 * 1024)]);
  const path = join(directory, 'from-disk.jpg');
  await writeFile(path, data);
  const progress = [];
  const answer = await client.upload({ path }, await token(), { onProgress: (sent, total) => progress.push([sent, total]) });
  assert.equal(answer.hash, sha256(data));
  assert.deepEqual(answer.expected_files, [`${answer.hash}_from-disk_400_400_.jpg`]);
  assert.ok(progress.length > 3, `${progress.length} progress calls`);
  assert.equal(progress.at(-1)[0], progress.at(-1)[1]);
  assert.ok(progress.at(-1)[1] > data.length && progress.at(-1)[1] < data.length + 1024);
  // Without progress a file on disk goes as a file-backed Blob: sized, read as fetch sends it.
  const again = await client.uploadBatch([{ path, name: 'again.jpg' }, { name: 'b.jpg', data: unique() }], await token());
  assert.deepEqual(again.jobs.map((j) => [j.file, j.hash === answer.hash]), [['again.jpg', true], ['b.jpg', false]]);
});
