// Prints the reference ThumbHash (base64, as btoa gives it) and BlurHash (4×3) of raw RGBA8 pixels, one per line.
// Usage: node hashes.mjs <width> <height> <file of width × height × 4 bytes>
import { readFileSync } from "node:fs";
import { rgbaToThumbHash } from "thumbhash";
import { encode } from "blurhash";

const [width, height, file] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const rgba = new Uint8ClampedArray(readFileSync(file));
if (rgba.length !== width * height * 4) throw new Error(`${file} holds ${rgba.length} bytes, not ${width}×${height}×4`);
console.log(Buffer.from(rgbaToThumbHash(width, height, rgba)).toString("base64"));
console.log(encode(rgba, width, height, 4, 3));
