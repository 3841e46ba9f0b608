import { wavHeader } from '../../audio/wav';
import { sleepMs, startLoopbackServer } from './loopback-server';

/**
 * FAKE stand-in for a paid hosted text-to-speech API: an OpenAI-compatible `POST /v1/audio/speech`
 * on 127.0.0.1 answering a streamed 8 kHz WAV (`msPerWord` of audio per word). Request n's samples
 * all have the magnitude `FAKE_TTS_LEVEL * (n + 1)`, so a test can tell which request's audio was
 * played (a 1 kHz square wave of that amplitude: `Math.abs(sample)` is the level; request 30 and
later cycle through the levels again). The first audio leaves after `firstAudioDelayMs` (real ms), the rest right after; with
 * `holdRest(input)` the rest waits until the client goes away. Each request is recorded, with
 * whether the client aborted it before the answer was complete.
 */
export const FAKE_TTS_LEVEL = 1000;

export interface FakeTtsRequest {
  input: string;
  voice: string;
  model: string;
  /** The magnitude of every sample of this request's audio. */
  level: number;
  /** The client closed the connection before the whole answer was sent. */
  aborted: boolean;
  /** The whole answer was sent. */
  completed: boolean;
}

export interface FakeTtsOptions {
  msPerWord?: number;
  firstAudioDelayMs?: number;
  holdRest?: (input: string) => boolean;
  /** Called when a request arrives (tests note the simulated time). */
  onRequest?: (r: FakeTtsRequest) => void;
}

export interface FakeTtsServer {
  /** Base URL to use as TTS_BASE_URL (ends in /v1). */
  baseUrl: string;
  requests: FakeTtsRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAiTtsServer(o: FakeTtsOptions = {}): Promise<FakeTtsServer> {
  const requests: FakeTtsRequest[] = [];
  const srv = await startLoopbackServer(async (req, body, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const b = JSON.parse(body.toString()) as { input: string; voice: string; model: string };
    const r: FakeTtsRequest = {
      input: b.input,
      voice: b.voice,
      model: b.model,
      level: FAKE_TTS_LEVEL * ((requests.length % 30) + 1),
      aborted: false,
      completed: false,
    };
    requests.push(r);
    o.onRequest?.(r);
    res.on('close', () => {
      if (!res.writableFinished) r.aborted = true;
    });
    const words = Math.max(1, b.input.split(/\s+/).filter(Boolean).length);
    const samples = new Int16Array(Math.round((words * (o.msPerWord ?? 200) * 8000) / 1000));
    for (let i = 0; i < samples.length; i++) samples[i] = i % 8 < 4 ? r.level : -r.level;
    const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    if (o.firstAudioDelayMs) await sleepMs(o.firstAudioDelayMs);
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'audio/wav' });
    // The first 100 ms, then the rest: a streamed answer.
    res.write(Buffer.concat([wavHeader(8000, 1, data.length), data.subarray(0, 1600)]));
    if (o.holdRest?.(b.input)) return; // held until the client goes away (or close())
    res.end(data.subarray(1600), () => (r.completed = true));
  });
  return { baseUrl: `${srv.url}/v1`, requests, close: srv.close };
}
