// The three kinds of failure every Pixerve client tells apart (issue 27's error taxonomy): the server refused with a
// problem (PixerveError), no HTTP answer came (PixerveNetworkError), or the caller's bound passed (PixerveTimeoutError).
import type { ProblemDetails } from './types.js';

/** A problem document with its extension members (`errors`, `files`, `jobs`, …) kept as the server sent them. */
export type Problem = ProblemDetails & { [extension: string]: unknown };

/** The server answered ≥ 400: the RFC 9457 problem's members as fields, `retryAfter` from `Retry-After` (seconds). */
export class PixerveError extends Error {
  override readonly name = 'PixerveError';
  readonly status: number;
  readonly type: string | null;
  readonly title: string | null;
  readonly detail: string | null;
  /** The input at fault (a claim path, `hash`, `job_id`, a credential field). */
  readonly field: string | null;
  /** Validation errors by input, when the problem carries them. */
  readonly errors: Record<string, string[]> | null;
  /** Seconds to wait before asking again (429, 503), from `Retry-After`. */
  readonly retryAfter: number | null;
  readonly traceId: string | null;
  /** The whole problem document, extension members included. */
  readonly problem: Problem;

  constructor(status: number, problem: Problem, options?: { retryAfter?: number | null; cause?: unknown }) {
    const field = typeof problem.field === 'string' ? problem.field : null;
    super(`${status} ${problem.title ?? ''}: ${problem.detail ?? ''}${field ? ` (field ${field})` : ''}`,
      options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = problem.status ?? status;
    this.type = problem.type ?? null;
    this.title = problem.title ?? null;
    this.detail = problem.detail ?? null;
    this.field = field;
    this.errors = isRecord(problem.errors) ? (problem.errors as Record<string, string[]>) : null;
    this.retryAfter = options?.retryAfter ?? null;
    this.traceId = problem.trace_id ?? null;
    this.problem = problem;
  }
}

/** No HTTP answer: the connection was refused or reset, the name did not resolve, TLS failed. `cause` is the transport's error. */
export class PixerveNetworkError extends Error {
  override readonly name = 'PixerveNetworkError';
  /** Which call: upload, status, events, … */
  readonly operation: string;
  readonly url: string | null;

  constructor(operation: string, cause: unknown, url: string | null = null) {
    const reason = describe(cause);
    super(`${operation}: no answer from ${url ?? 'the server'}${reason ? `: ${reason}` : ''}`, { cause });
    this.operation = operation;
    this.url = url;
  }
}

/** The call's `timeoutMs` passed before it finished; the request was cancelled. */
export class PixerveTimeoutError extends Error {
  override readonly name = 'PixerveTimeoutError';
  readonly operation: string;
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number, detail?: string) {
    super(`${operation} did not finish within ${timeoutMs} ms${detail ? `: ${detail}` : ''}`);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// fetch's TypeError says only "fetch failed"; the reason (ECONNREFUSED, ECONNRESET, ENOTFOUND…) is its cause.
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e && parts.length < 3; e = (e as { cause?: unknown }).cause) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    parts.push([typeof code === 'string' ? code : null, typeof message === 'string' ? message : String(e)].filter(Boolean).join(' '));
  }
  return parts.join(': ');
}
