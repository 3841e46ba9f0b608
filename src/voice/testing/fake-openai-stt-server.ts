import { decodeWav } from '../../audio/wav';
import { sleepMs, startLoopbackServer } from './loopback-server';

/**
 * FAKE stand-in for a paid cloud speech-to-text API: an OpenAI-compatible
 * `POST /v1/audio/transcriptions` on 127.0.0.1 that answers from a script instead of recognizing
 * speech (no offline STT works on 8 kHz telephony audio). Each upload is decoded and recorded so
 * tests can check what audio really reached STT.
 */
export type FakeSttReply =
  | string
  | { text: string; delayMs?: number }
  | { status: number; body?: string }
  /** Raw body with status 200 (e.g. invalid JSON). */
  | { raw: string }
  /** Never answers (the client must time out). */
  | { hang: true };

export interface FakeSttUpload {
  model: string;
  language: string | undefined;
  sampleRateHz: number;
  durationMs: number;
  samples: Int16Array;
}

export interface FakeSttServer {
  /** Base URL to use as STT_BASE_URL (ends in /v1). */
  baseUrl: string;
  uploads: FakeSttUpload[];
  close(): Promise<void>;
}

/** `script`: replies by turn (n-th upload → n-th reply; after the end, the last reply repeats), or a function of the upload. */
export async function startFakeOpenAiSttServer(
  script: FakeSttReply[] | ((upload: FakeSttUpload, index: number) => FakeSttReply),
): Promise<FakeSttServer> {
  const uploads: FakeSttUpload[] = [];
  const srv = await startLoopbackServer(async (req, body, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const parts = parseMultipart(body, String(req.headers['content-type'] ?? ''));
    const file = parts.get('file');
    if (!file) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"file is required"}}');
      return;
    }
    const wav = decodeWav(file);
    const upload: FakeSttUpload = {
      model: parts.get('model')?.toString() ?? '',
      language: parts.get('language')?.toString(),
      sampleRateHz: wav.sampleRateHz,
      durationMs: Math.round((wav.samples.length / wav.sampleRateHz) * 1000),
      samples: wav.samples,
    };
    const index = uploads.length;
    uploads.push(upload);
    const reply =
      typeof script === 'function' ? script(upload, index) : (script[Math.min(index, script.length - 1)] ?? '');
    if (typeof reply === 'object' && 'hang' in reply) return; // the socket stays open until close()
    if (typeof reply === 'object' && 'status' in reply) {
      res
        .writeHead(reply.status, { 'content-type': 'application/json' })
        .end(reply.body ?? '{"error":{"message":"scripted failure"}}');
      return;
    }
    if (typeof reply === 'object' && 'raw' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply.raw);
      return;
    }
    const r = typeof reply === 'string' ? { text: reply } : reply;
    if (r.delayMs) await sleepMs(r.delayMs);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: r.text }));
  });
  return { baseUrl: `${srv.url}/v1`, uploads, close: srv.close };
}

/** Minimal multipart/form-data parser (field name → raw bytes). */
function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const out = new Map<string, Buffer>();
  if (!m) return out;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length + 2;
    const next = body.indexOf(boundary, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const name = /name="([^"]+)"/.exec(part.subarray(0, headerEnd).toString())?.[1];
      if (name) out.set(name, Buffer.from(part.subarray(headerEnd + 4)));
    }
    pos = next;
  }
  return out;
}
