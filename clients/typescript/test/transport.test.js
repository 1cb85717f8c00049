// What the client puts on the wire, against loopback servers of the test's own (no gateway needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer } from 'node:net';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { PixerveClient, PixerveError, PixerveTimeoutError } from '../dist/index.js';

const answer = JSON.stringify({ hash: 'h', job_id: 'j', expected_files: [], status: 'pending' });
// CR, LF and a header after them, quotes, a backslash, a percent sign, a space and non-ASCII.
const oddName = 'evil"\r\nX-Injected: 1\r\n\r\n\\ 100% \u00fc\u6f22.jpg';

// A loopback HTTP/1.1 server that keeps each request's raw bytes and answers 200 with `answer`.
async function rawServer(t) {
  const requests = [];
  const server = createTcpServer((socket) => {
    let raw = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      raw = Buffer.concat([raw, chunk]);
      const end = raw.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/^content-length:\s*(\d+)/im.exec(raw.subarray(0, end).toString('latin1'))[1]);
      if (raw.length < end + 4 + length) return;
      requests.push(raw);
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${answer.length}\r\n\r\n${answer}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${server.address().port}`, requests };
}

// Each part's header lines, from the raw request.
function partHeaders(raw) {
  const text = raw.toString('latin1');
  const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
  const boundary = /boundary=([^\r\n;]+)/.exec(head)[1];
  return body.split(`--${boundary}`).slice(1, -1).map((part) => part.slice(2, part.indexOf('\r\n\r\n')).split('\r\n'));
}

// [filename percent-decoded, filename* decoded or null] of a Content-Disposition value.
function namesIn(disposition) {
  const star = /; filename\*=UTF-8''([^;\s]*)/.exec(disposition);
  return [decodeURIComponent(/; filename="([^"]*)"/.exec(disposition)[1]), star ? decodeURIComponent(star[1]) : null];
}

test('an odd file name goes encoded and round-trips', async (t) => {
  const server = await rawServer(t);
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
  await new PixerveClient(server.url).uploadBatch([{ name: oddName, data: jpeg }, { name: 'plain.jpg', data: jpeg }], 'a.b.c');
  const raw = server.requests[0];
  assert.ok(!raw.subarray(0, raw.indexOf('\r\n\r\n')).includes('X-Injected'));
  const [odd, plain] = partHeaders(raw);
  // Two header lines per part: no CR or LF of the name split the header or started another.
  assert.deepEqual(odd.slice(1), ['Content-Type: application/octet-stream'], odd.join('\n'));
  assert.match(odd[0], /^Content-Disposition: form-data; name="file"; filename="[\x20-\x7e]*"; filename\*=UTF-8''[\x21-\x7e]*$/);
  assert.deepEqual(namesIn(odd[0]), [oddName, oddName]);
  // A plain name goes as it is, without filename*.
  assert.deepEqual(plain, ['Content-Disposition: form-data; name="file"; filename="plain.jpg"', 'Content-Type: application/octet-stream']);
});

// Answers every request; `seen` keeps [method, url, Authorization] of each. With redirectTo, the answer is a 302 there.
async function recordingServer(t, redirectTo) {
  const seen = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push([request.method, request.url, request.headers.authorization ?? null]);
      if (redirectTo) response.writeHead(302, { Location: redirectTo + request.url, 'Content-Length': 0 }).end();
      else response.writeHead(200, { 'Content-Type': 'application/json' }).end(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${server.address().port}`, seen };
}

test('a redirect to another origin does not carry the token', async (t) => {
  // 127.0.0.1 on another port is another origin.
  const elsewhere = await recordingServer(t);
  const gateway = await recordingServer(t, elsewhere.url);
  const client = new PixerveClient(gateway.url);
  await client.status('the.job.token', { hash: 'h' });
  await client.upload({ name: 'a.jpg', data: new Uint8Array([0xff, 0xd8, 0xff]) }, 'the.job.token');
  assert.deepEqual(gateway.seen, [['GET', '/status?hash=h', 'Bearer the.job.token'], ['POST', '/upload', 'Bearer the.job.token']]);
  // Followed (a 302 turns the POST into a GET), but without the token.
  assert.deepEqual(elsewhere.seen, [['GET', '/status?hash=h', null], ['GET', '/upload', null]]);
});

// A loopback server that takes each request and never answers (its sockets kept, to close after the test).
async function silentServer(t) {
  const sockets = new Set();
  const server = createTcpServer((socket) => { sockets.add(socket); socket.resume(); socket.on('error', () => {}); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { for (const s of sockets) s.destroy(); server.close(); });
  return { url: `http://127.0.0.1:${server.address().port}` };
}

test('a call whose server never answers rejects with PixerveTimeoutError at its bound', { timeout: 15_000 }, async (t) => {
  const server = await silentServer(t);
  const client = new PixerveClient(server.url, { timeoutMs: 400 }); // the client's bound, for calls that name none
  for (const [name, call] of [
    // signal: a backstop of the test's own, so a bound that never fires fails the test instead of hanging it.
    ['status', () => client.status('h', 't', { signal: AbortSignal.timeout(3000) })],
    ['upload', () => client.upload({ name: 'a.jpg', data: new Uint8Array(10) }, 't', { timeoutMs: 300, signal: AbortSignal.timeout(3000) })],
    ['download', () => client.download('d', 'n.jpg', { signal: AbortSignal.timeout(3000) })],
  ]) {
    const started = performance.now();
    const e = await call().then(() => null, (r) => r);
    const elapsed = performance.now() - started;
    assert.ok(e instanceof PixerveTimeoutError, `${name}: ${e}`);
    assert.equal(e.operation, name);
    assert.ok(elapsed >= 250 && elapsed < 1300, `${name} rejected after ${Math.round(elapsed)} ms`);
  }
});

// A loopback server that answers /events with a pending state and then nothing, as a job held pending does; `open`
// counts the connections not yet closed by the client.
async function pendingStream(t) {
  const sockets = new Set();
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/event-stream' });
    response.write(`event: pending\ndata: ${JSON.stringify({ hash: 'h', job_id: 'j', status: 'pending' })}\n\n`);
  });
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { for (const s of sockets) s.destroy(); server.close(); });
  return { url: `http://127.0.0.1:${server.address().port}`, open: () => sockets.size };
}

test('a wait past its bound rejects and closes its stream', { timeout: 30_000 }, async (t) => {
  const server = await pendingStream(t);
  const client = new PixerveClient(server.url);
  for (const [name, call] of [
    ['waitUntilFinal', () => client.waitUntilFinal('h', 't', { timeoutMs: 500, signal: AbortSignal.timeout(4000) })],
    ['events', async () => { for await (const _ of client.events('h', 't', { timeoutMs: 500, signal: AbortSignal.timeout(4000) })); }],
  ]) {
    const started = performance.now();
    const e = await call().then(() => null, (r) => r);
    assert.ok(e instanceof PixerveTimeoutError, `${name}: ${e}`);
    assert.ok(performance.now() - started < 1500, `${name} rejected after ${Math.round(performance.now() - started)} ms`);
    // Cancelled, not left running: the connection closes. Node's fetch (undici) does not close it at the abort but
    // sets its keep-alive timeout (4 s) on it; a request left running would hold it for the body timeout (300 s).
    const deadline = Date.now() + 6500;
    while (server.open() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.open(), 0, `${name} left its stream open`);
  }
});

test('a problem answer is a PixerveError with its members, extensions and Retry-After', async (t) => {
  const problem = { type: 'https://tools.ietf.org/html/rfc6585#section-4', title: 'Too Many Requests', status: 429,
    detail: 'too many uploads: try again in 7 s', errors: { hash: ['must be 64 hex digits'] }, trace_id: '00-ab-cd-00', extra: 1 };
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(429, { 'Content-Type': 'application/problem+json', 'Retry-After': '7' }).end(JSON.stringify(problem));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const e = await new PixerveClient(`http://127.0.0.1:${server.address().port}`).status('h', 't').then(() => null, (r) => r);
  assert.ok(e instanceof PixerveError, `${e}`);
  assert.deepEqual([e.status, e.type, e.title, e.detail, e.retryAfter, e.traceId, e.field], [429, problem.type, problem.title, problem.detail, 7, '00-ab-cd-00', null]);
  assert.deepEqual(e.errors, problem.errors);
  assert.equal(e.problem.extra, 1);
});
