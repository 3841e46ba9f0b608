import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeMulaw } from '../../audio/g711';
import { sleepMs } from './loopback-server';

/**
 * FAKE stand-in for Deepgram's live speech-to-text (a paid cloud service): `GET /v1/listen`
 * upgraded to a WebSocket on 127.0.0.1, speaking the protocol as Deepgram documents it, with
 * scripted words instead of recognition (no offline STT works on 8 kHz telephone audio).
 *
 * It finds voiced segments in the audio it receives by their energy. While a segment is voiced,
 * an interim `Results` (is_final false) every `interimEveryMs` of audio reveals one more word of
 * the segment's scripted text; a final (`is_final` + `speech_final`) follows once the audio has
 * been quiet for `endpointing` ms (the query parameter, or `finalAfterSilenceMs`), or at once on
 * `Finalize` (`from_finalize`). `SpeechStarted` (vad_events) opens a segment, `UtteranceEnd`
 * (utterance_end_ms) follows a final. `KeepAlive` is recorded; `CloseStream` ends the stream.
 */
export interface FakeDeepgramOptions {
  /** The n-th finalized segment's text (the last one repeats), or a function of the segment index. */
  script: string[] | ((index: number) => string);
  interimEveryMs?: number;
  /** The final after this much quiet audio (default: the `endpointing` query parameter). */
  finalAfterSilenceMs?: number;
  /** A `Finalize` is answered no earlier than this much quiet audio after the last voiced frame. */
  finalizeMinSilenceMs?: number;
  /** Drop the first connection (no close frame) after this many 20 ms audio chunks. */
  dropAfterChunks?: number;
}

export interface FakeDeepgramConnection {
  query: URLSearchParams;
  authorization: string | undefined;
  /** Text messages received (KeepAlive, Finalize, CloseStream…). */
  controls: string[];
  audioMs: number;
  voicedMs: number;
  /** Results messages sent. */
  sent: Record<string, unknown>[];
}

export interface FakeDeepgramServer {
  /** Use as STT_STREAMING_URL. */
  url: string;
  connections: FakeDeepgramConnection[];
  /** Texts of the segments finalized so far. */
  finals: string[];
  close(): Promise<void>;
}

const VOICED_RMS = 300;

export async function startFakeDeepgramServer(options: FakeDeepgramOptions): Promise<FakeDeepgramServer> {
  const connections: FakeDeepgramConnection[] = [];
  const finals: string[] = [];
  const scriptText = (i: number): string =>
    typeof options.script === 'function'
      ? options.script(i)
      : (options.script[Math.min(i, options.script.length - 1)] ?? '');
  const http = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/v1/listen') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, url.searchParams, req.headers.authorization));
  });

  function serve(ws: WebSocket, query: URLSearchParams, authorization: string | undefined): void {
    const conn: FakeDeepgramConnection = { query, authorization, controls: [], audioMs: 0, voicedMs: 0, sent: [] };
    const index = connections.push(conn) - 1;
    const rate = Number(query.get('sample_rate') ?? 8000);
    const chunk = (rate / 1000) * 20;
    const mulaw = query.get('encoding') === 'mulaw';
    const interimEvery = options.interimEveryMs ?? 100;
    const finalAfter = options.finalAfterSilenceMs ?? Number(query.get('endpointing') ?? 10);
    const utteranceEndMs = query.get('utterance_end_ms') ? Number(query.get('utterance_end_ms')) : undefined;
    let pending = new Int16Array(0);
    let chunks = 0;
    let cursor = 0; // samples
    let segStart = 0; // samples: start of the audio the next result covers
    let seg: { voicedMs: number; sinceInterimMs: number; words: number; lastVoicedEnd: number } | undefined;
    let quietSinceFinalMs: number | undefined;
    let finalizeWanted = false;
    const send = (m: Record<string, unknown>): void => {
      conn.sent.push(m);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const results = (text: string, flags: { is_final: boolean; speech_final: boolean; from_finalize: boolean }) =>
      send({
        type: 'Results',
        channel_index: [0, 1],
        start: segStart / rate,
        duration: (cursor - segStart) / rate,
        ...flags,
        channel: { alternatives: [{ transcript: text, confidence: 0.99, words: [] }] },
        metadata: { request_id: `fake-${index}`, model_info: { name: 'fake-deepgram' } },
      });
    const finalize = (fromFinalize: boolean): void => {
      const text = seg ? scriptText(finals.length) : '';
      if (seg) finals.push(text);
      results(text, { is_final: true, speech_final: !fromFinalize, from_finalize: fromFinalize });
      segStart = cursor;
      if (seg) quietSinceFinalMs = 0;
      seg = undefined;
    };
    const onChunk = (s: Int16Array): void => {
      let e = 0;
      for (const v of s) e += v * v;
      const voiced = Math.sqrt(e / s.length) > VOICED_RMS;
      cursor += s.length;
      conn.audioMs += 20;
      if (voiced) {
        conn.voicedMs += 20;
        quietSinceFinalMs = undefined;
        if (!seg) {
          seg = { voicedMs: 0, sinceInterimMs: 0, words: 0, lastVoicedEnd: cursor };
          if (query.get('vad_events') === 'true')
            send({ type: 'SpeechStarted', channel: [0], timestamp: (cursor - s.length) / rate });
        }
        seg.voicedMs += 20;
        seg.lastVoicedEnd = cursor;
      }
      if (seg) {
        seg.sinceInterimMs += 20;
        if (seg.sinceInterimMs >= interimEvery && query.get('interim_results') === 'true') {
          seg.sinceInterimMs = 0;
          const words = scriptText(finals.length).split(/\s+/).filter(Boolean);
          seg.words = Math.min(words.length, seg.words + 1);
          results(words.slice(0, seg.words).join(' '), { is_final: false, speech_final: false, from_finalize: false });
        }
        const quietMs = ((cursor - seg.lastVoicedEnd) / rate) * 1000;
        if (finalizeWanted && quietMs >= (options.finalizeMinSilenceMs ?? 0)) {
          finalizeWanted = false;
          finalize(true);
        } else if (quietMs >= finalAfter) finalize(false);
      } else if (quietSinceFinalMs !== undefined) {
        quietSinceFinalMs += 20;
        if (utteranceEndMs !== undefined && quietSinceFinalMs >= utteranceEndMs) {
          quietSinceFinalMs = undefined;
          send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: segStart / rate });
        }
      }
    };
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const text = data.toString('utf8');
        conn.controls.push(text);
        const type = (JSON.parse(text) as { type?: string }).type;
        if (type === 'Finalize') {
          if (seg) finalizeWanted = true;
          else results('', { is_final: true, speech_final: false, from_finalize: true });
          if (seg && options.finalizeMinSilenceMs === undefined) {
            finalizeWanted = false;
            finalize(true);
          }
        } else if (type === 'CloseStream') {
          send({ type: 'Metadata', request_id: `fake-${index}`, duration: cursor / rate, channels: 1 });
          ws.close(1000);
        }
        return;
      }
      const samples = mulaw
        ? decodeMulaw(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        : new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
      const all = new Int16Array(pending.length + samples.length);
      all.set(pending);
      all.set(samples, pending.length);
      let at = 0;
      for (; at + chunk <= all.length; at += chunk) {
        onChunk(all.subarray(at, at + chunk));
        chunks += 1;
        if (index === 0 && options.dropAfterChunks !== undefined && chunks >= options.dropAfterChunks) {
          ws.terminate();
          return;
        }
      }
      pending = all.slice(at);
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/v1/listen`,
    connections,
    finals,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await sleepMs(0);
    },
  };
}
