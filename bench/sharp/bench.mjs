// The sharp row of bench/Pixerve.Bench, written the way a Node developer would: one input, a clone() per
// output, rotate() to apply EXIF orientation, fit inside without enlargement, every output awaited together.
// Usage: node bench.mjs SOURCE ITERATIONS OUTDIR — prints "RESULT <seconds per image> <peak RSS KB>".
import sharp from 'sharp';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const [source, iterations, outDir] = process.argv.slice(2);
const boxes = [1600, 400];

async function convert(bytes) {
  const input = sharp(bytes).rotate();
  const jobs = [];
  for (const box of boxes) {
    const resized = () => input.clone().resize(box, box, { fit: 'inside', withoutEnlargement: true });
    jobs.push(resized().jpeg({ quality: 80 }).toBuffer().then((b) => writeFile(join(outDir, `${box}.jpg`), b)));
    jobs.push(resized().webp({ quality: 80 }).toBuffer().then((b) => writeFile(join(outDir, `${box}.webp`), b)));
    jobs.push(resized().avif({ quality: 60, effort: 2 }).toBuffer().then((b) => writeFile(join(outDir, `${box}.avif`), b)));
  }
  await Promise.all(jobs);
  return jobs.length;
}

const bytes = await readFile(source);
const made = await convert(bytes); // warm-up, untimed
if (made !== 6) throw new Error(`expected 6 outputs, made ${made}`);
const started = process.hrtime.bigint();
for (let i = 0; i < Number(iterations); i++) await convert(await readFile(source));
const seconds = Number(process.hrtime.bigint() - started) / 1e9 / Number(iterations);
console.log(`RESULT ${seconds.toFixed(4)} ${process.resourceUsage().maxRSS}`);
