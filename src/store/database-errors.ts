import { AppError, type ErrorCode } from '../shared/errors';

/*
 * Which errors mean "the database cannot be reached right now" (as opposed to a bad query or a
 * constraint): PostgreSQL restarting or shutting down, a connection killed by an operator, the
 * server not listening, the pool unable to connect in time. Such work is safe to retry once the
 * database is back (our writes are guarded and idempotent); the API answers 503
 * `database_unavailable` for them.
 */

/** SQLSTATEs: class 08 (connection exception), operator intervention (57P01-57P05), too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-5]|53300)$/;
/** Transaction conflicts that are safe to retry as a whole (serialization failure, deadlock). */
const RETRYABLE_SQLSTATE = new Set(['40001', '40P01']);
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Messages of pg / pg-pool / Kysely for a connection that died or never came. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|connection has been discarded|Client was closed and is not queryable/i;

function* errorChain(err: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0) {
    const e = stack.pop();
    if (e === null || typeof e !== 'object' || seen.has(e) || seen.size > 20) continue;
    seen.add(e);
    const rec = e as Record<string, unknown>;
    yield rec;
    stack.push(rec.cause);
    if (Array.isArray(rec.errors)) stack.push(...(rec.errors as unknown[]));
  }
}

/** True when `err` (or its cause) says the database is unreachable or went away. */
export function isDatabaseUnavailableError(err: unknown): boolean {
  if (err instanceof AppError) return err.code === DATABASE_UNAVAILABLE;
  for (const e of errorChain(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code !== undefined && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

/** Unavailable, or a transaction conflict: retrying the same work later can succeed. */
export function isRetryableDatabaseError(err: unknown): boolean {
  if (isDatabaseUnavailableError(err)) return true;
  for (const e of errorChain(err)) if (typeof e.code === 'string' && RETRYABLE_SQLSTATE.has(e.code)) return true;
  return false;
}

/** A short, secret-free reason for logs and /v1/healthz: `57P01 terminating connection ...`. */
export function databaseErrorReason(err: unknown): string {
  for (const e of errorChain(err)) {
    if (e instanceof AppError && e.code === DATABASE_UNAVAILABLE && e.cause !== undefined) continue;
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : undefined;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (message !== undefined || code !== undefined) {
      const text = [code, message?.replace(/postgres(ql)?:\/\/[^\s]*/gi, '<url>')].filter(Boolean).join(' ');
      return text.slice(0, 200);
    }
  }
  return String(err).slice(0, 200);
}

/** A plain Error for logs: message, code and stack only (pg errors carry the whole client object). */
export function loggableDatabaseError(err: unknown): Error {
  const out = new Error(databaseErrorReason(err));
  const first = [...errorChain(err)].find((e) => !(e instanceof AppError));
  if (first && typeof first.stack === 'string') out.stack = first.stack;
  if (first && typeof first.code === 'string') Object.assign(out, { code: first.code });
  return out;
}

export const DATABASE_UNAVAILABLE = 'database_unavailable' satisfies ErrorCode;

/** The error the API answers with (503) while the database cannot be reached. */
export function databaseUnavailable(cause?: unknown): AppError {
  return new AppError('database_unavailable', 'The database is unavailable; retry shortly.', {
    retryable: true,
    cause,
  });
}
