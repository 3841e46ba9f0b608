import type { AgentTool } from './agent-tool';
import type { ToolHttpClient } from './tool-http-client';
import { canonicalJson, signBody } from './tool-signature';

export interface HttpToolContext {
  http: ToolHttpClient;
  callId: string;
  /** Org or endpoint secret; without it no signature header is sent. */
  signingSecret?: string | undefined;
  timeoutMs: number;
}

export type ToolOutcome = { ok: true; response: unknown } | { ok: false; error: string };

const MAX_RESPONSE_CHARS = 16_000;

/**
 * Calls an HTTP tool: body = the arguments as canonical JSON (GET: arguments in the query string,
 * and the signature still covers their canonical JSON), headers = configured ones +
 * `X-ThunderPhone-Signature` + `X-ThunderPhone-Call-ID`. Never throws: failures become
 * `{ error }` so the model can tell the caller.
 */
export async function runHttpTool(tool: AgentTool, rawArguments: string, ctx: HttpToolContext): Promise<ToolOutcome> {
  let args: unknown;
  try {
    args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch {
    return { ok: false, error: 'The tool arguments were not valid JSON.' };
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    return { ok: false, error: 'The tool arguments must be a JSON object.' };
  const body = canonicalJson(args);
  const method = tool.endpoint.method.toUpperCase();
  const headers: Record<string, string> = { ...tool.endpoint.headers, 'X-ThunderPhone-Call-ID': ctx.callId };
  if (ctx.signingSecret) headers['X-ThunderPhone-Signature'] = signBody(ctx.signingSecret, body);
  let url = tool.endpoint.url;
  if (method === 'GET') {
    const u = new URL(url);
    for (const [k, v] of Object.entries(args as Record<string, unknown>))
      u.searchParams.append(k, typeof v === 'string' ? v : canonicalJson(v));
    url = u.toString();
  } else headers['Content-Type'] = 'application/json';
  try {
    const res = await ctx.http.request({
      url,
      method,
      headers,
      body: method === 'GET' ? undefined : body,
      timeoutMs: ctx.timeoutMs,
    });
    const text = res.bodyText.slice(0, MAX_RESPONSE_CHARS);
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Plain-text answers are passed to the model as they are.
    }
    if (res.status < 200 || res.status >= 300)
      return {
        ok: false,
        error: `The tool endpoint answered HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`,
      };
    return { ok: true, response: parsed };
  } catch (err) {
    const timedOut =
      err instanceof Error &&
      (err.name === 'TimeoutError' || err.name === 'AbortError' || /timed? ?out/i.test(err.message));
    return {
      ok: false,
      error: timedOut
        ? 'The tool endpoint did not answer in time.'
        : `The tool endpoint could not be reached: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
