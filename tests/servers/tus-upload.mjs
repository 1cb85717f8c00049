// Uploads one file with tus-js-client, as a browser or an app would, and prints what happened as JSON lines:
// {"event":"request","method":…,"url":…,"offset":…}, {"event":"response",…}, {"event":"progress",…},
// {"event":"retry",…} and a last {"event":"success",…} or {"event":"error",…}. The .NET tests read them.
//
// node tus-upload.mjs --endpoint URL --token T --file PATH [--chunk-size BYTES] [--name NAME] [--new-connections]
//                     [--upload-url URL] [--no-retry] [--first-retry-delay MS]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Upload, DefaultHttpStack } from 'tus-js-client';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const flag = (name) => args.includes(`--${name}`);
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

const file = option('file');
const bytes = readFileSync(file);
const chunkSize = Number(option('chunk-size', String(Infinity)));
const upload = new Upload(bytes, {
  endpoint: option('endpoint'),
  uploadUrl: option('upload-url', null),
  chunkSize,
  metadata: { filename: option('name', basename(file)), filetype: 'application/octet-stream' },
  headers: { Authorization: `Bearer ${option('token')}` },
  // A new connection per request: a test's proxy may send each to another gateway.
  ...(flag('new-connections') ? { httpStack: new DefaultHttpStack({ agent: false }) } : {}),
  retryDelays: flag('no-retry') ? [] : [Number(option('first-retry-delay', '0')), 300, 1000, 3000],
  storeFingerprintForResuming: false,
  onBeforeRequest: (request) => print({
    event: 'request', method: request.getMethod(), url: request.getURL(),
    offset: request.getHeader('Upload-Offset') === undefined ? null : Number(request.getHeader('Upload-Offset')),
  }),
  onAfterResponse: (request, response) => print({
    event: 'response', method: request.getMethod(), status: response.getStatus(),
    offset: response.getHeader('Upload-Offset') === undefined ? null : Number(response.getHeader('Upload-Offset')),
  }),
  onProgress: (sent, total) => print({ event: 'progress', sent, total }),
  onShouldRetry: (error, attempt) => {
    print({ event: 'retry', attempt, error: String(error.message).split('\n')[0] });
    const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
    return status === 0 || status >= 500 || status === 409 || status === 423;
  },
  onSuccess: ({ lastResponse }) => {
    print({
      event: 'success', url: upload.url, status: lastResponse.getStatus(),
      hash: lastResponse.getHeader('Pixerve-Hash') ?? null, job_id: lastResponse.getHeader('Pixerve-Job-Id') ?? null,
      job_status: lastResponse.getHeader('Pixerve-Status') ?? null,
      expected_files: (lastResponse.getHeader('Pixerve-Expected-Files') ?? '').split(',').filter(Boolean),
    });
    process.exit(0);
  },
  onError: (error) => {
    const response = error.originalResponse;
    print({
      event: 'error', url: upload.url, status: response ? response.getStatus() : 0,
      body: response ? response.getBody() : null, message: String(error.message).split('\n')[0],
    });
    process.exit(1);
  },
});
upload.start();
