import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isAddressAllowed, isLocalhostName, type PrivateTargetPolicy } from './address-policy';
import { OutgoingHttpError } from './outgoing-http-error';

export interface OutgoingRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole request: DNS, connect, send and read the body. */
  timeoutMs?: number;
  /** Overrides the client's bound on the response body. */
  maxResponseBytes?: number;
  /** false: resolve as soon as the status line and headers arrive and drop the body (webhooks). */
  readBody?: boolean;
}

export interface OutgoingResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  bodyText: string;
}

/** Resolves a host name to addresses (injectable so tests can simulate DNS answers). */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface GuardedHttpClientOptions {
  allowPrivateTargets: PrivateTargetPolicy;
  defaultTimeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  resolve?: HostResolver;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The one way the server talks to user-supplied URLs (webhooks, tool calls). http(s) only; the
 * host is resolved once, every candidate address is checked against ALLOW_PRIVATE_TARGETS and the
 * socket connects to the checked address (no second DNS lookup, so no DNS-rebinding window);
 * redirects are followed only within the same origin (a redirect elsewhere comes back as the 3xx
 * response); the whole exchange has a deadline and the body a size bound.
 */
export class GuardedHttpClient {
  readonly #policy: PrivateTargetPolicy;
  readonly #defaultTimeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #maxRedirects: number;
  readonly #userAgent: string;
  readonly #resolve: HostResolver;

  constructor(options: GuardedHttpClientOptions) {
    this.#policy = options.allowPrivateTargets;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    this.#maxRedirects = options.maxRedirects ?? 3;
    this.#userAgent = options.userAgent ?? 'ThunderPhone-Webhooks/1.0';
    this.#resolve = options.resolve ?? ((host) => dnsLookup(host, { all: true, verbatim: true }));
  }

  get policy(): PrivateTargetPolicy {
    return this.#policy;
  }

  async request(req: OutgoingRequest): Promise<OutgoingResponse> {
    const timeoutMs = req.timeoutMs ?? this.#defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    let url = parseTarget(req.url);
    let method = (req.method ?? 'GET').toUpperCase();
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const res = await this.#once(
        url,
        method,
        req.headers ?? {},
        body,
        deadline,
        timeoutMs,
        req.readBody === false ? -1 : (req.maxResponseBytes ?? this.#maxResponseBytes),
      );
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || location === undefined || hop >= this.#maxRedirects) return res;
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return res;
      }
      if (next.origin !== url.origin) return res;
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  /** Resolves and checks the target; returns the address to connect to. */
  async #checkedAddress(url: URL): Promise<{ address: string; family: number }> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(host);
    if (literal !== 0) {
      if (!isAddressAllowed(host, this.#policy)) throw notAllowed(url);
      return { address: host, family: literal };
    }
    if (isLocalhostName(host) && this.#policy === 'none') throw notAllowed(url);
    let answers: { address: string; family: number }[];
    try {
      answers = await this.#resolve(host);
    } catch (err) {
      throw new OutgoingHttpError('network_error', `could not resolve ${host}`, { cause: err });
    }
    const allowed = answers.find((a) => isAddressAllowed(a.address, this.#policy));
    if (allowed === undefined) throw notAllowed(url);
    return allowed;
  }

  async #once(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    deadline: AbortSignal,
    timeoutMs: number,
    /** Negative: do not read the body. */
    maxBytes: number,
  ): Promise<OutgoingResponse> {
    const target = await this.#checkedAddress(url);
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all === true) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const outHeaders: Record<string, string> = { 'user-agent': this.#userAgent, ...headers };
    if (payload !== undefined) outHeaders['content-length'] = String(payload.length);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<OutgoingResponse>((resolve, reject) => {
      if (deadline.aborted) {
        reject(new OutgoingHttpError('timeout', `no response within ${timeoutMs} ms`));
        return;
      }
      const request = transport.request(
        url,
        { method, headers: outHeaders, lookup, signal: deadline, agent: false },
        (res) => {
          if (maxBytes < 0) {
            resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), bodyText: '' });
            res.destroy();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              request.destroy();
              reject(new OutgoingHttpError('response_too_large', `response body exceeds ${maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: flattenHeaders(res.headers),
              bodyText: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (err) => reject(toOutgoingError(err, deadline, timeoutMs)));
        },
      );
      request.on('error', (err) => reject(toOutgoingError(err, deadline, timeoutMs)));
      request.end(payload);
    });
  }
}

function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutgoingHttpError('invalid_url', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OutgoingHttpError('target_not_allowed', 'only http and https URLs are allowed');
  if (url.username !== '' || url.password !== '')
    throw new OutgoingHttpError('target_not_allowed', 'URLs with credentials are not allowed');
  return url;
}

function notAllowed(url: URL): OutgoingHttpError {
  return new OutgoingHttpError(
    'target_not_allowed',
    `${url.hostname} is not an allowed target (ALLOW_PRIVATE_TARGETS)`,
  );
}

function toOutgoingError(err: unknown, deadline: AbortSignal, timeoutMs: number): OutgoingHttpError {
  if (err instanceof OutgoingHttpError) return err;
  if (deadline.aborted) return new OutgoingHttpError('timeout', `no response within ${timeoutMs} ms`, { cause: err });
  const code = (err as { code?: unknown }).code;
  return new OutgoingHttpError('network_error', typeof code === 'string' ? code.toLowerCase() : 'connection failed', {
    cause: err,
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
