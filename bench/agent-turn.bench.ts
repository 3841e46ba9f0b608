/**
 * Voice-agent pipeline benchmark (instant fake providers: loopback OpenAI-compatible LLM/STT
 * fakes answering at once, a tone TTS, the real WebRTC VAD, the real 20 ms ticker).
 *  1. Added latency per turn: from the caller frame that completes the end-of-turn silence to
 *     the first agent audio frame, i.e. (end of caller speech → first agent audio) − configured
 *     end-of-turn silence. Target ≤ 50 ms p95.
 *  2. CPU per concurrent conversation: N conversations fed real-time audio for a few seconds.
 */
import { systemClock } from '../src/shared/clock';
import { silentLogger } from '../src/shared/log';
import { createAgentSession, fetchToolHttpClient, type AgentSession } from '../src/voice/index';
import { OpenAiLlm } from '../src/voice/llm/openai-llm';
import { OpenAiStt } from '../src/voice/stt/openai-stt';
import { fvadFactory } from '../src/voice/vad/fvad-vad';
import { ToneTts } from '../src/voice/testing/fake-tts';
import { startFakeOpenAiLlmServer } from '../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from '../src/voice/testing/fake-openai-stt-server';
import { asteriskPrompt, silenceFrames } from '../src/voice/testing/speech-fixtures';

const END_OF_TURN_SILENCE_MS = 600;
const TURNS = 40;
const WARMUP_TURNS = 3;
const CONCURRENT = 10;
const CPU_SECONDS = 5;

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  const llm = await startFakeOpenAiLlmServer(['Okay.']);
  const stt = await startFakeOpenAiSttServer(['Hello there.']);
  const make = (): AgentSession =>
    createAgentSession({
      config: { prompt: 'You are a test agent.', voice: 'tone', product: 'spark', speakOrder: 'caller_first' },
      providers: {
        llm: new OpenAiLlm({ baseUrl: llm.baseUrl, model: 'fake' }),
        stt: new OpenAiStt({ baseUrl: stt.baseUrl, model: 'fake' }),
        tts: new ToneTts(100),
        vad: fvadFactory(2),
      },
      callId: 'bench',
      clock: systemClock,
      log: silentLogger,
      toolHttp: fetchToolHttpClient,
      timings: { endOfTurnSilenceMs: END_OF_TURN_SILENCE_MS, silenceTimeoutMs: 0, nudgeAfterMs: 0 },
    });
  const speech = asteriskPrompt('hello-world');
  const silence = silenceFrames(END_OF_TURN_SILENCE_MS + 20);
  try {
    // 1. Added latency per turn.
    const s = make();
    await s.prewarm();
    await s.start();
    const added: number[] = [];
    const parts: Record<string, number[]> = { stt: [], llm: [], tts: [] };
    let firstAudioAt: number | undefined;
    s.on('audio', () => (firstAudioAt ??= performance.now()));
    s.on('metrics', (m) => {
      if (m.turn <= WARMUP_TURNS) return;
      parts.stt!.push(m.sttMs);
      parts.llm!.push(m.llmFirstTokenMs ?? NaN);
      parts.tts!.push(m.ttsFirstAudioMs ?? NaN);
    });
    for (let turn = 0; turn < TURNS + WARMUP_TURNS; turn++) {
      for (const f of speech) s.pushAudio(f);
      firstAudioAt = undefined;
      for (const f of silence) s.pushAudio(f);
      const endOfTurnAt = performance.now();
      while (firstAudioAt === undefined) await sleep(1);
      if (turn >= WARMUP_TURNS) added.push(firstAudioAt - endOfTurnAt);
      await sleep(300); // let the short answer play out (100 ms of tone)
    }
    await s.stop();
    const fmt = (xs: number[]): string =>
      `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(
      `added latency per turn (beyond ${END_OF_TURN_SILENCE_MS} ms end-of-turn silence), ${TURNS} turns after ${WARMUP_TURNS} warm-up: ${fmt(added)}  [target p95 <= 50 ms: ${pct(added, 95) <= 50 ? 'met' : 'MISSED'}]`,
    );
    console.log(
      `  split: STT ${fmt(parts.stt!)} | LLM first token ${fmt(parts.llm!)} | TTS first audio ${fmt(parts.tts!)}`,
    );

    // 2. CPU per concurrent conversation (real-time audio in, paced audio out).
    const sessions = Array.from({ length: CONCURRENT }, make);
    await Promise.all(sessions.map((x) => x.prewarm()));
    await Promise.all(sessions.map((x) => x.start()));
    let framesOut = 0;
    for (const x of sessions) x.on('audio', () => (framesOut += 1));
    const script = [...speech, ...silenceFrames(1500)];
    let i = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const feeder = setInterval(() => {
      for (const x of sessions) x.pushAudio(script[i % script.length]!);
      i += 1;
    }, 20);
    await sleep(CPU_SECONDS * 1000);
    clearInterval(feeder);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    await Promise.all(sessions.map((x) => x.stop()));
    const cpuPct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    console.log(
      `CPU with ${CONCURRENT} concurrent conversations over ${(wallMs / 1000).toFixed(1)} s: ${cpuPct.toFixed(1)}% of one core total, ${(cpuPct / CONCURRENT).toFixed(2)}% per conversation (incl. the in-process fake servers); ${framesOut} agent frames sent`,
    );
  } finally {
    await llm.close();
    await stt.close();
  }
}
