/**
 * The HTTP client tool calls go through. Injected: production uses the guarded client of the
 * webhooks module (private-address policy, ALLOW_PRIVATE_TARGETS); tests and dev use the plain one.
 */
export interface ToolHttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Exact bytes to send (undefined for GET). */
  body: string | undefined;
  timeoutMs: number;
}

export interface ToolHttpClient {
  /** Resolves with any HTTP status; rejects on connection errors and timeouts. */
  request(req: ToolHttpRequest): Promise<{ status: number; bodyText: string }>;
}

/** Plain fetch, no address policy: for tests and local development only. */
export const fetchToolHttpClient: ToolHttpClient = {
  async request(req) {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
      redirect: 'manual',
    });
    return { status: res.status, bodyText: await res.text() };
  },
};
