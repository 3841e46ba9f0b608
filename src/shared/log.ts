/**
 * Logging is pino (the logger Fastify itself uses): JSON lines, `logger.info({ fields }, 'message')`,
 * child loggers carry bindings such as `callId`/`orgId`, and Fastify's `req.log` carries the request id.
 *
 * Secrets never reach a line: every key whose name looks secret-bearing (passwords, tokens, API keys,
 * authorization headers, credentials, webhook secrets) is replaced by `[redacted]` at any depth, and
 * `sk_live_…` / `whsec_…` values are masked wherever they appear in a string. Errors keep their stack
 * and `cause` chain (pino's `errWithCause` serializer).
 */
import { pino, stdSerializers, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Logger = PinoLogger;

const SECRET_KEY = /pass(word)?|secret|token|authorization|api_?key|credential|cookie|^key$/i;
const SECRET_VALUE = /\b(sk_live_|whsec_)[A-Za-z0-9]+/g;
const MAX_DEPTH = 8;
const SECRET_BINDING_KEYS = ['password', 'secret', 'token', 'authorization', 'apiKey', 'api_key', 'credentials', 'key'];

function maskString(s: string): string {
  return s.replace(SECRET_VALUE, (_m, prefix: string) => `${prefix}[redacted]`);
}

/** Deep copy of `value` with secret-bearing keys and secret-looking strings masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskString(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return redactError(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value))
    return `[${value.constructor.name} ${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

function redactError(err: Error, depth: number): unknown {
  const serialized = stdSerializers.errWithCause(err) as unknown as Record<string, unknown>;
  return redact({ ...serialized }, depth + 1);
}

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Fields on every line (e.g. `{ service: 'thunderphone' }`). */
  base?: Record<string, unknown>;
  /** Where lines go; standard error by default. Tests pass a collecting stream. */
  destination?: DestinationStream;
}

export function createLogger(o: CreateLoggerOptions): Logger {
  return pino(
    {
      level: o.level,
      base: o.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        // Runs on every line's merged object (bindings are redacted when the child is made).
        log: (obj) => redact(obj) as Record<string, unknown>,
        bindings: (b) => redact(b) as Record<string, unknown>,
      },
      // Child bindings skip `formatters.log`; pino's own redaction covers their top-level keys.
      redact: { paths: [...SECRET_BINDING_KEYS], censor: '[redacted]' },
      serializers: { err: (e: Error) => redactError(e, 0), error: (e: Error) => redactError(e, 0) },
    },
    o.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes nothing (tests, tools). */
export const silentLogger: Logger = pino({ level: 'silent' });
