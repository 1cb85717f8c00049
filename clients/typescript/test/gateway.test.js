// Against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE (clients/test.sh sets them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { PixerveClient, PixerveError, mintToken } from '../dist/index.js';

const { PIXERVE_URL: url, PIXERVE_JWT_SECRET: secret, PIXERVE_TEST_IMAGE: image } = process.env;
// Without a gateway these tests fail rather than skip, so a run that reached none of them cannot read as a pass;
// PIXERVE_SKIP_GATEWAY_TESTS=1 skips them on purpose.
const skip = !(url && secret && image) && process.env.PIXERVE_SKIP_GATEWAY_TESTS === '1' && 'PIXERVE_SKIP_GATEWAY_TESTS=1';
if (!(url && secret && image) && !skip) {
  throw new Error('PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, ' +
    'or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway');
}
const subDir = 'typescript-client';
const job = { formats: { jpg: { sizes: [[400]] } }, directHost: true, subDir };
const client = new PixerveClient(url ?? 'http://127.0.0.1:1');
const photo = image ? await readFile(image) : Buffer.alloc(0);
// Other bytes, the same picture: decoders ignore what follows the JPEG end marker.
const unique = () => Buffer.concat([photo, randomBytes(16)]);

function jpegSize(bytes) {
  for (let i = 2; i < bytes.length;) {
    const marker = bytes[i + 1];
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { width: (bytes[i + 7] << 8) | bytes[i + 8], height: (bytes[i + 5] << 8) | bytes[i + 6] };
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

async function refusal(promise) {
  try { await promise; } catch (e) { if (e instanceof PixerveError) return e; throw e; }
  assert.fail('expected a PixerveError');
}

test('upload, wait until completed, download', { skip }, async () => {
  const token = await mintToken(secret, job, { sub: 'typescript-tests' });
  const answer = await client.upload({ name: 'photo-1920x1280-canon.jpg', data: photo }, token);
  assert.equal(answer.job_id.length, 64);
  assert.deepEqual(answer.expected_files, [`${answer.hash}_photo-1920x1280-canon_400_400_.jpg`]);
  const final = await client.waitUntilFinal(token, { hash: answer.hash }, { timeoutMs: 120_000 });
  assert.equal(final.status, 'completed', final.error ?? '');
  assert.deepEqual(jpegSize(await client.download(subDir, answer.expected_files[0])), { width: 400, height: 267 });
  assert.equal(final.files[0].width, 400);
  assert.deepEqual([final.source.format, final.source.width, final.source.height, final.source.has_alpha], ['jpg', 1920, 1280, false]);
  assert.match(final.source.dominant_color, /^#[0-9a-f]{6}$/);
  assert.equal(final.source.blurhash.length, 28);
  assert.deepEqual(final.outputs.map((o) => [o.name, o.format, o.width, o.height, o.bytes]),
    [[answer.expected_files[0], 'jpg', 400, 267, final.files[0].bytes]]);
  assert.deepEqual(final.outputs[0].locations, [{ backend: final.files[0].backend, location: final.files[0].location }]);
  assert.equal((await client.success(token, { hash: answer.hash })).status, 'success');
  assert.equal((await client.failures(token, { job_id: answer.job_id })).status, 'success');
  const again = await client.upload({ name: 'photo-1920x1280-canon.jpg', data: photo }, token, { formToken: true });
  assert.deepEqual([again.job_id, again.status], [answer.job_id, 'completed']);
});

test('status describes the source and every output', { skip }, async () => {
  // Three boxes, three fits: inside keeps the 3:2 aspect, fill stretches to the box, cover crops to it.
  const spec = {
    formats: { jpg: { sizes: [[400], { box: [300, 100], fit: 'fill' }] }, webp: { settings: { fit: 'cover' }, sizes: [[240, 240]] } },
    directHost: true, subDir,
  };
  const token = await mintToken(secret, spec, { sub: 'typescript-tests' });
  const answer = await client.upload({ name: 'photo-1920x1280-canon.jpg', data: photo }, token);
  const final = await client.waitUntilFinal(token, { hash: answer.hash }, { timeoutMs: 120_000 });
  assert.equal(final.status, 'completed', final.error ?? '');
  const { source } = final;
  assert.deepEqual([source.format, source.width, source.height, source.has_alpha, source.frames], ['jpg', 1920, 1280, false, 1]);
  assert.match(source.dominant_color, /^#[0-9a-f]{6}$/);
  assert.ok(Buffer.from(source.thumbhash, 'base64').length >= 5 && /^[A-Za-z0-9+/]+={0,2}$/.test(source.thumbhash), source.thumbhash);
  assert.equal(source.blurhash.length, 28); // 4×3 components: 1 + 1 + 4 + 2 × 11 characters
  // By the name's tail ({H}_{W}, the box): format, width, height.
  const want = {
    '_photo-1920x1280-canon_400_400_.jpg': ['jpg', 400, 267],
    '_photo-1920x1280-canon_100_300_.jpg': ['jpg', 300, 100],
    '_photo-1920x1280-canon_240_240_.webp': ['webp', 240, 240],
  };
  assert.deepEqual([...final.expected_files].sort(), Object.keys(want).map((tail) => answer.hash + tail).sort());
  assert.deepEqual(final.outputs.map((o) => o.name), final.expected_files);
  for (const output of final.outputs) {
    assert.deepEqual([output.format, output.width, output.height], want[output.name.slice(answer.hash.length)], output.name);
    assert.ok(output.bytes > 0, output.name);
    assert.deepEqual(output.locations, [{ backend: 'direct', location: `/files/${subDir}/${output.name}` }]);
  }
  const record = await client.success(token, { hash: answer.hash });
  assert.deepEqual([record.job_data.source, record.job_data.outputs], [source, final.outputs]);
});

test('batch upload answers an entry per file', { skip }, async () => {
  const token = await mintToken(secret, job);
  // The gateway names each file as it read it: a name with CR, LF, quotes and non-ASCII comes back as sent.
  const oddName = 'evil"\r\nX-Injected: 1\r\n\r\n\\ 100% \u00fc\u6f22.jpg';
  const text = new TextEncoder().encode('not an image');
  const batch = await client.uploadBatch([{ name: 'a.jpg', data: unique() }, { name: 'notes.txt', data: text }, { name: oddName, data: text }], token);
  assert.deepEqual(batch.jobs.map((e) => e.file), ['a.jpg', 'notes.txt', oddName]);
  assert.equal(batch.jobs[0].status, 'pending');
  assert.deepEqual(batch.jobs.slice(1).map((e) => e.error.status), [415, 415]);
});

test('cancel a pending job', { skip }, async () => {
  // One conversion at a time: a slower job first keeps the next one pending long enough to cancel it.
  const token = await mintToken(secret, job);
  const slow = await mintToken(secret, { formats: { webp: { sizes: [[1920]] } }, directHost: true, subDir });
  for (let attempt = 0; attempt < 8; attempt++) {
    await client.upload({ name: 'slow.jpg', data: unique() }, slow);
    const pending = await client.upload({ name: 'pending.jpg', data: unique() }, token);
    let cancelled;
    try {
      cancelled = await client.cancel(token, { hash: pending.hash });
    } catch (e) {
      if (e instanceof PixerveError && e.status === 409) continue;
      throw e;
    }
    assert.deepEqual([cancelled.status, cancelled.error], ['cancelled', 'cancelled by request']);
    assert.equal((await client.waitUntilFinal(token, { hash: pending.hash }, { timeoutMs: 10_000 })).status, 'cancelled');
    assert.equal((await client.failures(token, { hash: pending.hash })).status, 'not_found');
    return;
  }
  assert.fail('never caught a job still pending');
});

test('a bad token is 401', { skip }, async () => {
  const token = await mintToken('another-secret-that-is-long-enough-0123456789', job);
  const e = await refusal(client.upload({ name: 'p.jpg', data: photo }, token));
  assert.equal(e.status, 401);
  assert.match(e.detail, /signature/);
});

// Uploads `size` bytes under a token of another secret `runs` times: what each attempt ended in.
async function refusedEveryTime(size, runs = 20) {
  const bad = await mintToken('another-secret-that-is-long-enough-0123456789', job);
  const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size - 4)]); // refused before its bytes are read
  const outcomes = [];
  for (let run = 0; run < runs; run++) {
    try {
      await client.upload({ name: 'big.jpg', data }, bad);
      outcomes.push('accepted');
    } catch (e) {
      if (e instanceof PixerveError) outcomes.push(/signature/.test(e.detail ?? '') ? e.status : `${e.status}: ${e.detail}`);
      else outcomes.push(`${e}${e.cause ? ` (${e.cause.code ?? e.cause})` : ''}`); // a transport error instead of the answer
    }
  }
  return outcomes;
}

test('a bad token is 401 for a 16 MB upload, 20 times', { skip }, async () => {
  const outcomes = await refusedEveryTime(16 * 1024 * 1024);
  assert.deepEqual(outcomes, Array(20).fill(401), `${outcomes.filter((o) => o === 401).length} of 20 surfaced the 401`);
});

test('a bad token is 401 for a 700 KB upload, 20 times', { skip }, async () => {
  const outcomes = await refusedEveryTime(700 * 1024);
  assert.deepEqual(outcomes, Array(20).fill(401), `${outcomes.filter((o) => o === 401).length} of 20 surfaced the 401`);
});

test('a bad spec is 400 naming the field', { skip }, async () => {
  const token = await mintToken(secret, { formats: { jpg: { sizes: [[0]] } }, directHost: true });
  const e = await refusal(client.upload({ name: 'p.jpg', data: photo }, token));
  assert.deepEqual([e.status, e.field], [400, 'formats.jpg.sizes[0]']);
});

test("another token's job is 404", { skip }, async () => {
  const mine = await client.upload({ name: 'mine.jpg', data: unique() }, await mintToken(secret, job));
  const stranger = await mintToken(secret, { ...job, subDir: 'someone-else' });
  assert.equal((await refusal(client.status(stranger, { hash: mine.hash }))).status, 404);
});
