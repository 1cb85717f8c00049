// README.md's example, run as it stands: its fenced js block, written to a file and run with node against PIXERVE_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const { PIXERVE_URL: url, PIXERVE_JWT_SECRET: secret, PIXERVE_TEST_IMAGE: image } = process.env;
// Without a gateway this test fails rather than skips (see gateway.test.js); PIXERVE_SKIP_GATEWAY_TESTS=1 skips it.
const skip = !(url && secret && image) && process.env.PIXERVE_SKIP_GATEWAY_TESTS === '1' && 'PIXERVE_SKIP_GATEWAY_TESTS=1';
if (!(url && secret && image) && !skip) {
  throw new Error('PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, ' +
    'or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway');
}
const root = fileURLToPath(new URL('..', import.meta.url));

test('the README example runs as written', { skip }, async (t) => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  assert.equal(blocks.length, 1, 'one js block in README.md');
  const example = blocks[0];
  assert.ok(example.split('\n').filter(Boolean).length <= 10, 'ten lines at most');
  // A project of its own that finds the package by its name, as an installed one would.
  const directory = await mkdtemp(join(tmpdir(), 'pixerve-readme-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  await mkdir(join(directory, 'node_modules'));
  await symlink(root, join(directory, 'node_modules', 'pixerve-client'), 'dir');
  await writeFile(join(directory, 'example.mjs'), example);
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['example.mjs', image], {
    cwd: directory, env: { ...process.env, PIXERVE_URL: url, PIXERVE_JWT_SECRET: secret }, timeout: 90_000,
  }).catch((e) => assert.fail(`the example failed: ${e.stdout}${e.stderr}`));
  assert.equal(stderr, '');
  const lines = stdout.trim().split('\n');
  const size = (await readFile(image)).length;
  assert.match(lines[0], /^sent \d+ of \d+ bytes$/);
  const [, last, total] = /^sent (\d+) of (\d+) bytes$/.exec(lines.at(-2));
  assert.ok(last === total && Number(total) > size, lines.at(-2));
  assert.match(lines.at(-1), /^[0-9a-f]{64}_photo-1920x1280-canon_400_400_\.webp 400x267 \/files\/readme\/[0-9a-f]{64}_photo-1920x1280-canon_400_400_\.webp$/);
});
