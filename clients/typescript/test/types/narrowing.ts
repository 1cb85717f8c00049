// Compiled (never run) by test/bundle.test.js with tsc --strict: the answers are discriminated unions that narrow.
// Each @ts-expect-error is a guarantee: were the union to stop narrowing (or to let everything through), tsc fails.
import {
  PixerveClient, PixerveError, PixerveNetworkError, PixerveTimeoutError,
  type FailuresAnswer, type JobEvent, type JobData, type SourceInfo, type SuccessAnswer,
} from 'pixerve-client';

export async function records(client: PixerveClient, hash: string, token: string): Promise<number> {
  const r: SuccessAnswer = await client.success(hash, token);
  // @ts-expect-error not every answer has job_data: only a success record does
  void r.job_data;
  if (r.status === 'success') {
    const data: JobData = r.job_data;
    const when: string = r.timestamp;
    return r.file_count + data.outputs.length + when.length;
  }
  const missing: 'not_found' = r.status;
  void missing;

  const f: FailuresAnswer = await client.failures({ job_id: hash }, token);
  if (f.status === 'failed') {
    const error: string = f.error;
    return error.length + f.job_data.attempts;
  }
  // @ts-expect-error past the narrowing, neither a success marker nor not_found carries an error
  void f.error;
  return 0;
}

export function describe(event: JobEvent): string {
  switch (event.type) {
    case 'state': return `${event.status} (${event.state.attempts} attempts)`;
    case 'source': { const source: SourceInfo = event.source; return `${source.width}×${source.height}`; }
    case 'output_done': return `${event.done}/${event.total} ${event.name}`;
    default: { const never: never = event; return never; }
  }
}

export async function errors(client: PixerveClient, token: string, signal: AbortSignal): Promise<string> {
  try {
    const final = await client.waitUntilFinal('a-hash', token, { timeoutMs: 2000, signal, onEvent: (e) => void describe(e) });
    return final.status;
  } catch (e) {
    if (e instanceof PixerveTimeoutError) return `${e.operation} ${e.timeoutMs}`;
    if (e instanceof PixerveNetworkError) return `${e.operation} ${String(e.cause)}`;
    if (e instanceof PixerveError) {
      const retryAfter: number | null = e.retryAfter;
      return `${e.status} ${e.type ?? ''} ${e.title ?? ''} ${e.detail ?? ''} ${e.field ?? ''} ${retryAfter ?? ''} ${JSON.stringify(e.errors)}`;
    }
    throw e;
  }
}

export async function streaming(client: PixerveClient, token: string, file: File, chunks: ReadableStream<Uint8Array>): Promise<void> {
  const onProgress = (sent: number, total: number | null) => void `${sent}/${total ?? '?'}`;
  await client.upload(file, token, { onProgress });
  await client.upload({ path: '/tmp/photo.jpg' }, token, { onProgress, timeoutMs: 60_000 });
  await client.upload({ name: 'stream.jpg', data: chunks, size: 40 << 20 }, token, { onProgress });
  const batch = await client.uploadBatch([file, { name: 'b.jpg', data: new Uint8Array(4) }], token);
  for (const entry of batch.jobs) void (entry.error?.status ?? entry.hash);
  for await (const event of client.events('a-hash', token, { timeoutMs: 10_000 })) void describe(event);
  await client.retry({ hash: 'a-hash' }, token);
  // @ts-expect-error a job is named by a hash string or { hash } / { job_id }, not by a number
  await client.status(42, token);
}
