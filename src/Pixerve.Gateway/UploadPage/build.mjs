// Builds the upload page's bundle into dist/ (checked in; the gateway embeds it):
//   npm ci && npm run build
// dist/upload.js     page.js with Uppy (core, Dashboard, tus), tus-js-client, preact and thumbhash, minified
// dist/upload.css    Uppy's styles and page.css
// dist/THIRD-PARTY-NOTICES.txt  the licence of every package the two files contain, found from esbuild's inputs
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });

const banner = '/*! Pixerve upload page. Contains third-party code; licences: THIRD-PARTY-NOTICES.txt beside this file. */';
const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  metafile: true,
  legalComments: 'none',
  banner: { js: banner, css: banner },
  logLevel: 'warning',
};
const script = await build({
  ...common,
  entryPoints: ['page.js'],
  outfile: join(dist, 'upload.js'),
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  define: { 'process.env.NODE_ENV': '"production"' },
});
const style = await build({
  ...common,
  entryPoints: ['page.css'],
  outfile: join(dist, 'upload.css'),
});

// Every package a bundle took a file from, with its licence text.
const packages = new Map();
for (const input of [...Object.keys(script.metafile.inputs), ...Object.keys(style.metafile.inputs)]) {
  const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
  if (!match || packages.has(match[2])) continue;
  const folder = join(here, match[1]);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const file = readdirSync(folder).find((name) => /^(licen[cs]e|copying)(\.md|\.txt)?$/i.test(name));
  const own = join(here, 'licenses', `${manifest.name.replace('/', '__')}.txt`);
  const text = file ? readFileSync(join(folder, file), 'utf8') : existsSync(own) ? readFileSync(own, 'utf8') : readmeLicence(folder);
  if (!text) throw new Error(`${manifest.name} ships no licence file: add licenses/${manifest.name.replace('/', '__')}.txt`);
  packages.set(match[2], { name: manifest.name, version: manifest.version, license: manifest.license, text: text.trim() });
}

/** A package without a licence file may carry it in its README's "License" section (with the copyright line). */
function readmeLicence(folder) {
  const readme = readdirSync(folder).find((name) => /^readme(\.md)?$/i.test(name));
  if (!readme) return null;
  const section = /^#+\s*licen[cs]e.*$([\s\S]*)/im.exec(readFileSync(join(folder, readme), 'utf8'));
  return section && /copyright/i.test(section[1]) ? section[0] : null;
}

const sorted = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
const notices = [
  'Third-party software in upload.js and upload.css (the Pixerve upload page\'s bundle)',
  '',
  ...sorted.map((p) => `- ${p.name} ${p.version} (${p.license})`),
  '',
  ...sorted.flatMap((p) => ['='.repeat(78), `${p.name} ${p.version} (${p.license})`, '='.repeat(78), '', p.text, '']),
].join('\n');
writeFileSync(join(dist, 'THIRD-PARTY-NOTICES.txt'), notices);

for (const name of ['upload.js', 'upload.css', 'THIRD-PARTY-NOTICES.txt']) {
  console.log(`${name.padEnd(26)} ${readFileSync(join(dist, name)).length.toLocaleString('en')} bytes`);
}
console.log(`${sorted.length} packages: ${sorted.map((p) => `${p.name}@${p.version}`).join(', ')}`);
