// The client in a browser: an esbuild bundle for the browser platform resolves tus-js-client to its browser build
// and takes in nothing of Node's; tsc --strict compiles callers (test/types/*.ts) against the compiled dist/*.d.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

test('a browser bundle takes in nothing of Node', async () => {
  // esbuild fails on a Node built-in (fs, http, crypto…) for the browser platform, so building at all checks most.
  const result = await build({
    entryPoints: [`${root}dist/index.js`], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes('tus-js-client/lib.esm/browser/')), inputs.join('\n'));
  assert.deepEqual(inputs.filter((i) => /tus-js-client\/lib[^/]*\/node\/|proper-lockfile|graceful-fs/.test(i)), []);
  const text = result.outputFiles[0].text;
  assert.doesNotMatch(text, /\brequire\(|from ["']node:|\bprocess\.binding\b/);
  assert.match(text, /uploadResumable/);
  // Upload progress in a browser is XMLHttpRequest's: fetch reports none there.
  assert.match(text, /new XMLHttpRequest\(\)/);
});

test('the compiled types narrow and type a caller under tsc --strict', async () => {
  // test/types/tsconfig.json: --strict, no @types/node (a browser project's view), the package reached by its name.
  const tsc = `${root}node_modules/.bin/tsc`;
  const { stdout } = await promisify(execFile)(tsc, ['-p', `${root}test/types`], { cwd: root }).catch((e) => assert.fail(`${e.stdout}${e.stderr}`));
  assert.equal(stdout, '');
});
