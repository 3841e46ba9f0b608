/**
 * Logging is pino (the logger Fastify itself uses): JSON lines, `logger.info({ fields }, 'message')`,
 * child loggers carry bindings such as `callId`/`orgId`, and Fastify's `req.log` carries the request id.
 *
 * Secrets never reach a line: every key whose name looks secret-bearing (passwords, tokens, API keys,
 * authorization headers, credentials, webhook secrets) is replaced by `[redacted]` at any depth, and
 * `sk_live_…` / `whsec_…` values are masked wherever they appear in a string. Fastify's request and
 * reply objects are logged as `{method, url, route, remoteAddress}` and `{statusCode}`, secret-looking
 * query parameters masked. Errors keep their stack
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

/** A URL with the values of secret-looking query parameters (`?token=…`, `?api_key=…`) masked. */
function maskUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return maskString(url);
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeURIComponentSafe(eq < 0 ? pair : pair.slice(0, eq));
      return eq >= 0 && SECRET_KEY.test(name) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    });
  return maskString(`${url.slice(0, q)}?${params.join('&')}`);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface LoggedRequest {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  ip?: unknown;
  routeOptions?: { url?: unknown };
  socket?: { remoteAddress?: unknown };
}

/**
 * Fastify logs its request and reply objects as `req` and `res`; they are class instances whose
 * fields are getters, so they are summarised here (before the redaction copy would flatten them
 * to `{}`): method, URL (secret query parameters masked), route, client address; status code.
 */
function summariseHttp(obj: Record<string, unknown>): Record<string, unknown> {
  const { req, res } = obj;
  if (req === undefined && res === undefined) return obj;
  const out = { ...obj };
  if (req !== null && typeof req === 'object' && 'method' in req && 'url' in req) {
    const r = req as LoggedRequest;
    out.req = {
      method: r.method,
      url: typeof r.url === 'string' ? maskUrl(r.url) : r.url,
      ...(typeof r.routeOptions?.url === 'string' ? { route: r.routeOptions.url } : {}),
      remoteAddress: r.ip ?? r.socket?.remoteAddress,
    };
  }
  if (res !== null && typeof res === 'object' && 'statusCode' in res) {
    out.res = { statusCode: res.statusCode };
  }
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
        log: (obj) => redact(summariseHttp(obj)) as Record<string, unknown>,
        bindings: (b) => redact(b) as Record<string, unknown>,
      },
      // Child bindings skip `formatters.log`; pino's own redaction covers their top-level keys.
      redact: { paths: [...SECRET_BINDING_KEYS], censor: '[redacted]' },
      serializers: {
        err: (e: Error) => redactError(e, 0),
        error: (e: Error) => redactError(e, 0),
        // Already summarised by `formatters.log`; Fastify's own serializers would re-read fields we dropped.
        req: (r: unknown) => r,
        res: (r: unknown) => r,
      },
    },
    o.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes nothing (tests, tools). */
export const silentLogger: Logger = pino({ level: 'silent' });
