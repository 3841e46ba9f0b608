/**
 * The realtime WebSocket with the same instant provider stand-ins as the phone-call bench
 * (loopback OpenAI-compatible LLM/STT fakes answering at once, a tone TTS, the real WebRTC VAD),
 * over wss on loopback. Each session streams Allison's recorded "hello world" as pcm16 24 kHz at
 * real-time pace (100 ms chunks), then silence, for several turns.
 * Figures: `input_audio_buffer.speech_stopped` → first `response.output_audio.delta` (client side),
 * p50/p90 at 1 session, then at growing numbers of concurrent sessions, and the most sessions one
 * process holds with that p90 under 700 ms.
 */
import WebSocket from 'ws';
import { createRealtimeHarness } from '../test/support/realtime-harness';
import { OpenAiLlm } from '../src/voice/llm/openai-llm';
import { OpenAiStt } from '../src/voice/stt/openai-stt';
import { ToneTts } from '../src/voice/testing/fake-tts';
import { fvadFactory } from '../src/voice/vad/fvad-vad';
import { asteriskPrompt, silenceFrames } from '../src/voice/testing/speech-fixtures';
import { resample } from '../src/audio/resampler';

const TURNS = 4;
const TARGET_P90_MS = 700;
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One turn of audio: the speech, then 1.5 s of silence, as 100 ms pcm16 24 kHz base64 chunks. */
function turnChunks(): string[] {
  const frames = [...asteriskPrompt('hello-world'), ...silenceFrames(1500)];
  const narrow = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => narrow.set(f, i * 160));
  const wide = resample(narrow, 8000, 24000);
  const bytes = Buffer.alloc(wide.length * 2);
  wide.forEach((s, i) => bytes.writeInt16LE(s, i * 2));
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 4800) out.push(bytes.subarray(i, i + 4800).toString('base64'));
  return out;
}

export async function run(): Promise<void> {
  const h = await createRealtimeHarness(
    'sqlite',
    { llm: ['Hello there.'], stt: ['hello world'] },
    {},
    (llmUrl, sttUrl) => ({
      llm: new OpenAiLlm({ baseUrl: llmUrl, model: 'fake' }),
      stt: new OpenAiStt({ baseUrl: sttUrl, model: 'fake' }),
      tts: new ToneTts(100),
      vad: fvadFactory(2),
    }),
  );
  const org = await h.api.createOrg({ balanceCents: 1_000_000 });
  const chunks = turnChunks();

  const session = async (): Promise<number[]> => {
    const ws = new WebSocket(`wss://${h.origin.slice(8)}/v1/realtime?model=spark&input_rate=24000`, {
      ca: h.ca,
      headers: { authorization: `Bearer ${org.apiKey}` },
    });
    const latencies: number[] = [];
    let stoppedAt: number | undefined;
    ws.on('message', (d) => {
      const e = JSON.parse(d.toString()) as { type: string };
      if (e.type === 'input_audio_buffer.speech_stopped') stoppedAt = performance.now();
      if (e.type === 'response.output_audio.delta' && stoppedAt !== undefined) {
        latencies.push(performance.now() - stoppedAt);
        stoppedAt = undefined;
      }
    });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    const start = performance.now();
    let sent = 0;
    for (let t = 0; t < TURNS; t++)
      for (const audio of chunks) {
        ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio }));
        sent += 1;
        // Real-time pace: chunk n leaves at start + n × 100 ms.
        await sleep(Math.max(0, start + sent * 100 - performance.now()));
      }
    await sleep(500);
    ws.close();
    return latencies;
  };

  const lines: string[] = [];
  let best = 0;
  for (const n of [1, 4, 8, 16, 32]) {
    const results = await Promise.all(Array.from({ length: n }, () => session()));
    const all = results.flat();
    const p50 = pct(all, 50);
    const p90 = pct(all, 90);
    const answered = all.length / (n * TURNS);
    lines.push(
      `  ${String(n).padStart(2)} sessions: speech_stopped → first audio delta p50 ${p50.toFixed(0)} ms, ` +
        `p90 ${p90.toFixed(0)} ms, turns answered ${(answered * 100).toFixed(0)}%`,
    );
    if (p90 < TARGET_P90_MS && answered >= 0.99) best = n;
    else break;
  }
  process.stdout.write(
    `realtime WebSocket (wss, pcm16 24 kHz, instant fake LLM/STT, tone TTS, fvad; ${TURNS} turns/session):\n` +
      `${lines.join('\n')}\n` +
      `  most concurrent sessions with p90 < ${TARGET_P90_MS} ms (of 1/4/8/16/32 tried): ${best}\n`,
  );
  await h.close();
}
