import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeMulaw } from '../../audio/g711';
import { sleepMs } from './loopback-server';

/**
 * FAKE stand-in for OpenAI's Realtime transcription (a paid cloud service; self-hosted Whisper
 * servers speak it too): `/v1/realtime?intent=transcription` on 127.0.0.1, as the Realtime API
 * documents it, with scripted words instead of recognition. `transcription_session.update` is
 * answered with `transcription_session.updated`; `input_audio_buffer.append` (base64, per
 * `input_audio_format`) fills the buffer; `input_audio_buffer.commit` → `input_audio_buffer.committed`
 * (a new item), then after `transcribeDelayMs` one `conversation.item.input_audio_transcription.delta`
 * per word and `.completed` with the n-th scripted text (commits of less than 100 ms of audio get the
 * documented `input_audio_buffer_commit_empty` error; commits without voiced audio an empty transcript).
 */
export interface FakeRealtimeSttOptions {
  script: string[] | ((index: number) => string);
  transcribeDelayMs?: number;
  /** Drop the first connection (no close frame) after this many appends. */
  dropAfterAppends?: number;
}

export interface FakeRealtimeSttConnection {
  url: string;
  authorization: string | undefined;
  beta: string | undefined;
  session: Record<string, unknown> | undefined;
  appends: number;
  audioMs: number;
  voicedMs: number;
  commits: number;
}

export interface FakeRealtimeSttServer {
  /** Use as STT_STREAMING_URL (`?intent=transcription` is added by the client). */
  url: string;
  connections: FakeRealtimeSttConnection[];
  transcripts: string[];
  close(): Promise<void>;
}

const VOICED_RMS = 300;

export async function startFakeOpenAiRealtimeSttServer(
  options: FakeRealtimeSttOptions,
): Promise<FakeRealtimeSttServer> {
  const connections: FakeRealtimeSttConnection[] = [];
  const transcripts: string[] = [];
  let items = 0;
  let events = 0;
  const scriptText = (i: number): string =>
    typeof options.script === 'function'
      ? options.script(i)
      : (options.script[Math.min(i, options.script.length - 1)] ?? '');
  const http = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/v1/realtime') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req));
  });

  function serve(ws: WebSocket, req: IncomingMessage): void {
    const conn: FakeRealtimeSttConnection = {
      url: req.url ?? '',
      authorization: req.headers.authorization,
      beta: req.headers['openai-beta'] as string | undefined,
      session: undefined,
      appends: 0,
      audioMs: 0,
      voicedMs: 0,
      commits: 0,
    };
    const index = connections.push(conn) - 1;
    let buffer: Int16Array[] = [];
    let previousItem: string | null = null;
    const send = (m: Record<string, unknown>): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event_id: `event_${++events}`, ...m }));
    };
    const session = { id: `sess_${index}`, object: 'realtime.transcription_session', input_audio_format: 'pcm16' };
    send({ type: 'transcription_session.created', session });
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as {
        type: string;
        session?: Record<string, unknown>;
        audio?: string;
      };
      if (m.type === 'transcription_session.update') {
        conn.session = m.session;
        Object.assign(session, m.session);
        send({ type: 'transcription_session.updated', session });
      } else if (m.type === 'input_audio_buffer.append') {
        const bytes = Buffer.from(m.audio ?? '', 'base64');
        const pcm =
          session.input_audio_format === 'g711_ulaw'
            ? decodeMulaw(new Uint8Array(bytes))
            : new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        buffer.push(pcm);
        conn.appends += 1;
        const rate = session.input_audio_format === 'g711_ulaw' ? 8000 : 24000;
        const ms = (pcm.length / rate) * 1000;
        conn.audioMs += ms;
        if (rms(pcm) > VOICED_RMS) conn.voicedMs += ms;
        if (index === 0 && options.dropAfterAppends !== undefined && conn.appends >= options.dropAfterAppends)
          ws.terminate();
      } else if (m.type === 'input_audio_buffer.clear') {
        buffer = [];
        send({ type: 'input_audio_buffer.cleared' });
      } else if (m.type === 'input_audio_buffer.commit') {
        const rate = session.input_audio_format === 'g711_ulaw' ? 8000 : 24000;
        const samples = buffer.reduce((n, f) => n + f.length, 0);
        if ((samples / rate) * 1000 < 100) {
          send({
            type: 'error',
            error: {
              type: 'invalid_request_error',
              code: 'input_audio_buffer_commit_empty',
              message: 'Error committing input audio buffer: buffer too small.',
            },
          });
          return;
        }
        const voiced = buffer.some((f) => rms(f) > VOICED_RMS);
        buffer = [];
        conn.commits += 1;
        const itemId = `item_${++items}`;
        send({ type: 'input_audio_buffer.committed', previous_item_id: previousItem, item_id: itemId });
        previousItem = itemId;
        const text = voiced ? scriptText(transcripts.length) : '';
        if (voiced) transcripts.push(text);
        void (async () => {
          if (options.transcribeDelayMs) await sleepMs(options.transcribeDelayMs);
          for (const word of text.split(/(?<=\s)/).filter(Boolean))
            send({
              type: 'conversation.item.input_audio_transcription.delta',
              item_id: itemId,
              content_index: 0,
              delta: word,
            });
          send({
            type: 'conversation.item.input_audio_transcription.completed',
            item_id: itemId,
            content_index: 0,
            transcript: text,
          });
        })();
      }
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    connections,
    transcripts,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function rms(s: Int16Array): number {
  let e = 0;
  for (const v of s) e += v * v;
  return s.length === 0 ? 0 : Math.sqrt(e / s.length);
}
