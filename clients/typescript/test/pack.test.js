// npm pack makes a tarball a new project installs (npm install of the .tgz, tus-js-client from npm's cache when it is
// there) and compiles against with tsc --strict, without @types/node; the compiled example then runs against PIXERVE_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const { PIXERVE_URL: url, PIXERVE_JWT_SECRET: secret } = process.env;
// Without a gateway this test fails rather than skips (see gateway.test.js); PIXERVE_SKIP_GATEWAY_TESTS=1 skips it.
const skip = !(url && secret) && process.env.PIXERVE_SKIP_GATEWAY_TESTS === '1' && 'PIXERVE_SKIP_GATEWAY_TESTS=1';
if (!(url && secret) && !skip) {
  throw new Error('PIXERVE_URL and PIXERVE_JWT_SECRET are unset: run clients/test.sh, or set PIXERVE_SKIP_GATEWAY_TESTS=1');
}
const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const npm = (args, cwd) => run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, timeout: 180_000 })
  .catch((e) => assert.fail(`npm ${args.join(' ')}: ${e.stdout}${e.stderr}`));

const usage = `import { PixerveClient, PixerveError, PixerveNetworkError, PixerveTimeoutError, mintToken, type StatusResponse } from 'pixerve-client';

async function described(client: PixerveClient, token: string, hash: string): Promise<string> {
  try {
    const state: StatusResponse = await client.status(hash, token, { timeoutMs: 10_000 });
    const record = await client.success({ hash }, token);
    return record.status === 'success' ? \`\${state.status} \${record.job_data.outputs.length}\` : state.status;
  } catch (e) {
    if (e instanceof PixerveError) return \`\${e.status} \${e.title}\`;
    if (e instanceof PixerveNetworkError || e instanceof PixerveTimeoutError) return e.name;
    throw e;
  }
}

const [url, secret] = [globalThis.process.env.PIXERVE_URL!, globalThis.process.env.PIXERVE_JWT_SECRET!];
const token = await mintToken(secret, { formats: { jpg: { sizes: [[64]] } }, directHost: true, subDir: 'pack-test' });
console.log(await described(new PixerveClient(url), token, '0'.repeat(64)));
`;

test('npm pack makes a tarball a new project installs and compiles against', { skip }, async (t) => {
  const directory = await mkdtemp(join(tmpdir(), 'pixerve-pack-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  // dist/ is what clients/test.sh compiled; npm pack's prepack compiles it too when a user packs.
  const [packed] = JSON.parse((await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', directory], root)).stdout);
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files.filter((f) => !/^dist\/(index|errors|types)\.(js|d\.ts)$/.test(f)), ['README.md', 'package.json']);
  assert.equal(files.length, 8, files.join(' '));
  const project = join(directory, 'app');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await npm(['install', '--prefer-offline', join(directory, packed.filename)], project);
  assert.deepEqual((await readdir(join(project, 'node_modules', 'pixerve-client'))).sort(), ['README.md', 'dist', 'package.json']);
  await writeFile(join(project, 'usage.ts'), usage);
  // A strict project with no Node types: the package's declarations must stand on their own (process is reached
  // through globalThis, declared here as a browser build would see nothing of Node).
  await writeFile(join(project, 'globals.d.ts'), 'declare var process: { env: Record<string, string | undefined> };\n');
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: [], outDir: 'out' },
    include: ['usage.ts', 'globals.d.ts'],
  }));
  await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', project]).catch((e) => assert.fail(`tsc: ${e.stdout}${e.stderr}`));
  const { stdout } = await run(process.execPath, [join(project, 'out', 'usage.js')], { env: { ...process.env, PIXERVE_URL: url, PIXERVE_JWT_SECRET: secret } })
    .catch((e) => assert.fail(`the compiled example: ${e.stdout}${e.stderr}`));
  assert.equal(stdout.trim(), '404 Not Found');
});
