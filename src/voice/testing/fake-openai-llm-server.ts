import type { ServerResponse } from 'node:http';
import type { ChatMessage, ToolSpec } from '../llm/llm';
import { sleepMs, startLoopbackServer } from './loopback-server';

/**
 * FAKE stand-in for a paid cloud LLM: an OpenAI-compatible `POST /v1/chat/completions` on
 * 127.0.0.1 that streams scripted answers as SSE chunks shaped like the real API (role chunk,
 * content deltas a few characters at a time, `tool_calls` deltas split into name/argument pieces,
 * `finish_reason`, `data: [DONE]`); a request with `stream: false` gets one `chat.completion` JSON
 * document instead (the text reply as `message.content`). Requests are recorded for assertions.
 */
export type FakeLlmReply =
  | string
  | {
      text?: string;
      toolCalls?: { name: string; arguments: Record<string, unknown> | string; id?: string }[];
      /** Wait before the first chunk. */
      firstTokenDelayMs?: number;
      /** Wait between chunks. */
      chunkDelayMs?: number;
    }
  | { status: number; body?: string }
  /** An SSE stream whose data line is this raw text (e.g. invalid JSON). */
  | { rawSse: string }
  /** Headers, then nothing (the client must time out). */
  | { hang: true };

export interface FakeLlmRequest {
  model: string;
  messages: ChatMessage[];
  tools: ToolSpec[];
  stream: boolean;
  /** e.g. `{ type: 'json_object' }` (post-call analysis). */
  response_format?: unknown;
  authorization: string | undefined;
}

export interface FakeLlmServer {
  /** Base URL to use as LLM_BASE_URL (ends in /v1). */
  baseUrl: string;
  requests: FakeLlmRequest[];
  close(): Promise<void>;
}

export type FakeLlmScript = FakeLlmReply[] | ((request: FakeLlmRequest, index: number) => FakeLlmReply);

/** By turn: the n-th request gets the n-th reply (the last one repeats); or a function of the request. */
export async function startFakeOpenAiLlmServer(script: FakeLlmScript): Promise<FakeLlmServer> {
  const requests: FakeLlmRequest[] = [];
  const srv = await startLoopbackServer(async (req, body, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const parsed = JSON.parse(body.toString('utf8')) as Partial<FakeLlmRequest>;
    const request: FakeLlmRequest = {
      model: parsed.model ?? '',
      messages: parsed.messages ?? [],
      tools: parsed.tools ?? [],
      stream: parsed.stream === true,
      response_format: parsed.response_format,
      authorization: req.headers.authorization,
    };
    const index = requests.length;
    requests.push(request);
    const reply =
      typeof script === 'function' ? script(request, index) : (script[Math.min(index, script.length - 1)] ?? '');
    if (!request.stream && !(typeof reply === 'object' && ('status' in reply || 'hang' in reply)))
      await sendCompletion(res, reply);
    else await sendReply(res, reply);
  });
  return { baseUrl: `${srv.url}/v1`, requests, close: srv.close };
}

/** Script helper: picks the reply by the latest user message (substring match, case-insensitive). */
export function replyByLastUserMessage(
  table: Record<string, FakeLlmReply>,
  otherwise: FakeLlmReply,
): (r: FakeLlmRequest) => FakeLlmReply {
  return (r) => {
    const last = [...r.messages].reverse().find((m) => m.role === 'user');
    const text = (last?.content ?? '').toLowerCase();
    for (const [needle, reply] of Object.entries(table)) if (text.includes(needle.toLowerCase())) return reply;
    return otherwise;
  };
}

/** A non-streaming answer (`stream: false`): one chat.completion document. */
async function sendCompletion(res: ServerResponse, reply: FakeLlmReply): Promise<void> {
  const r = typeof reply === 'string' ? { text: reply } : reply;
  if ('rawSse' in r) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(r.rawSse);
    return;
  }
  if ('firstTokenDelayMs' in r && r.firstTokenDelayMs) await sleepMs(r.firstTokenDelayMs);
  const text = 'text' in r ? (r.text ?? '') : '';
  const body = {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model: 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function sendReply(res: ServerResponse, reply: FakeLlmReply): Promise<void> {
  if (typeof reply === 'object' && 'status' in reply) {
    res
      .writeHead(reply.status, { 'content-type': 'application/json' })
      .end(reply.body ?? '{"error":{"message":"scripted failure"}}');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (typeof reply === 'object' && 'hang' in reply) return;
  if (typeof reply === 'object' && 'rawSse' in reply) {
    res.end(`data: ${reply.rawSse}\n\n`);
    return;
  }
  const r = typeof reply === 'string' ? { text: reply } : reply;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const write = async (s: string): Promise<void> => {
    if (res.destroyed) return;
    res.write(s);
    if (r.chunkDelayMs) await sleepMs(r.chunkDelayMs);
  };
  if (r.firstTokenDelayMs) await sleepMs(r.firstTokenDelayMs);
  await write(chunk({ role: 'assistant', content: '' }));
  const text = r.text ?? '';
  for (let i = 0; i < text.length; i += 6) await write(chunk({ content: text.slice(i, i + 6) }));
  (r.toolCalls ?? []).forEach((c, i) => {
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    const mid = Math.floor(args.length / 2);
    res.write(
      chunk({
        tool_calls: [
          { index: i, id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: '' } },
        ],
      }),
    );
    res.write(chunk({ tool_calls: [{ index: i, function: { arguments: args.slice(0, mid) } }] }));
    res.write(chunk({ tool_calls: [{ index: i, function: { arguments: args.slice(mid) } }] }));
  });
  if (!res.destroyed) res.end(chunk({}, r.toolCalls?.length ? 'tool_calls' : 'stop') + 'data: [DONE]\n\n');
}
