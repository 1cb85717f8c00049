// What V8 computes for the functions the placeholder encoders lean on, so the .NET ports can be checked bit for bit.
// Usage: node math.mjs <cos|srgb-to-linear> <input: little-endian float64s> <output: little-endian float64s>
import { readFileSync, writeFileSync } from "node:fs";

const [op, input, output] = process.argv.slice(2);
const bytes = readFileSync(input);
const args = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
const f = {
  cos: Math.cos,
  // blurhash's sRGBToLinear, on a byte value
  "srgb-to-linear": (value) => { const v = value / 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); },
}[op];
if (!f) throw new Error(`unknown op ${op}`);
writeFileSync(output, new Uint8Array(Float64Array.from(args, f).buffer));
