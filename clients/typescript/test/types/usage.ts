// Compiled (never run) by test/bundle.test.js with tsc --strict (test/types/tsconfig.json): the compiled dist/*.d.ts,
// reached through the package's own name and exports, declare what a caller uses.
import { PixerveClient, PixerveError, mintToken, type PreviousUpload, type UploadResponse, type UrlStorage } from 'pixerve-client';

const uploads = new Map<string, PreviousUpload>();
const storage: UrlStorage = {
  findAllUploads: async () => [...uploads.values()],
  findUploadsByFingerprint: async (fingerprint) => [...uploads.entries()].filter(([k]) => k.startsWith(fingerprint)).map(([, u]) => u),
  removeUpload: async (key) => { uploads.delete(key); },
  addUpload: async (fingerprint, upload) => { uploads.set(fingerprint, upload); return fingerprint; },
};

export async function usage(file: File, secret: string): Promise<UploadResponse> {
  const token = await mintToken(secret, { formats: { jpg: { sizes: [[400]] } }, directHost: true, subDir: 'u42' });
  const pixerve = new PixerveClient('http://localhost:8080');
  const controller = new AbortController();
  let saved: string | undefined;
  try {
    return await pixerve.uploadResumable(file, token, {
      chunkSize: 1024 * 1024,
      onProgress: (bytesSent: number, bytesTotal: number) => console.log(`${((bytesSent / bytesTotal) * 100).toFixed(1)}%`),
      onUploadUrl: (url: string) => { saved = url; },
      urlStorage: storage,
      signal: controller.signal,
    });
  } catch (e) {
    if (e instanceof PixerveError && e.status === 415) throw e;
    const again = await pixerve.uploadResumable(new Uint8Array(await file.arrayBuffer()), token, { uploadUrl: saved, filename: file.name });
    const expected: string[] = again.expected_files;
    return { ...again, expected_files: expected };
  }
}
