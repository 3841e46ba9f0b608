import { OpenAiLlm } from '../llm/openai-llm';
import type { AgentConversationConfig, AgentTimings } from '../session-options';
import { OpenAiStt } from '../stt/openai-stt';
import { SpawnTts } from '../tts/spawn-tts';
import type { TtsProvider } from '../tts/tts';
import { fvadFactory } from '../vad/fvad-vad';
import { startFakeOpenAiLlmServer, type FakeLlmScript, type FakeLlmServer } from './fake-openai-llm-server';
import {
  startFakeOpenAiSttServer,
  type FakeSttReply,
  type FakeSttServer,
  type FakeSttUpload,
} from './fake-openai-stt-server';
import { SessionDriver, type DriverOptions } from './session-driver';
import { DeepgramStt } from '../stt/deepgram-stt';
import { OpenAiRealtimeStt } from '../stt/openai-realtime-stt';
import { startFakeDeepgramServer, type FakeDeepgramOptions, type FakeDeepgramServer } from './fake-deepgram-server';
import {
  startFakeOpenAiRealtimeSttServer,
  type FakeRealtimeSttOptions,
  type FakeRealtimeSttServer,
} from './fake-openai-realtime-stt-server';

export interface RigOptions {
  llm: FakeLlmScript;
  stt?: FakeSttReply[] | ((u: FakeSttUpload, i: number) => FakeSttReply);
  config?: Partial<AgentConversationConfig>;
  timings?: Partial<AgentTimings>;
  tts?: TtsProvider;
  llmIdleTimeoutMs?: number;
  sttTimeoutMs?: number;
  driver?: Partial<DriverOptions>;
  /** Streaming STT through a fake Deepgram live server (the upload stays the fallback). */
  deepgram?: FakeDeepgramOptions;
  /** Streaming STT through a fake OpenAI Realtime transcription server. */
  realtime?: FakeRealtimeSttOptions;
}

export interface Rig {
  d: SessionDriver;
  llm: FakeLlmServer;
  stt: FakeSttServer;
  deepgram: FakeDeepgramServer | undefined;
  realtime: FakeRealtimeSttServer | undefined;
  close(): Promise<void>;
}

/**
 * A whole agent on loopback for tests: fake OpenAI-compatible LLM and STT servers, real
 * espeak-ng TTS, real WebRTC VAD, driven in simulated time by a SessionDriver.
 */
export async function startAgentRig(o: RigOptions): Promise<Rig> {
  const llm = await startFakeOpenAiLlmServer(o.llm);
  const stt = await startFakeOpenAiSttServer(o.stt ?? ['']);
  const deepgram = o.deepgram ? await startFakeDeepgramServer(o.deepgram) : undefined;
  const realtime = o.realtime ? await startFakeOpenAiRealtimeSttServer(o.realtime) : undefined;
  const sttStreaming = deepgram
    ? new DeepgramStt({
        url: deepgram.url,
        encoding: 'mulaw',
        endpointingMs: 300,
        utteranceEndMs: 1000,
        finalizeTimeoutMs: 1000,
      })
    : realtime
      ? new OpenAiRealtimeStt({ url: realtime.url, model: 'fake-transcribe', finalizeTimeoutMs: 1000 })
      : undefined;
  const d = new SessionDriver({
    config: {
      prompt: 'You are Ada, the receptionist of Acme Dental.',
      voice: 'en-us',
      product: 'spark',
      speakOrder: 'caller_first',
      ...o.config,
    },
    providers: {
      llm: new OpenAiLlm({
        baseUrl: llm.baseUrl,
        model: 'fake-spark',
        apiKey: 'sk-test',
        idleTimeoutMs: o.llmIdleTimeoutMs ?? 5000,
      }),
      stt: new OpenAiStt({ baseUrl: stt.baseUrl, model: 'fake-whisper', timeoutMs: o.sttTimeoutMs ?? 5000 }),
      sttStreaming,
      tts: o.tts ?? new SpawnTts({ engine: 'espeak-ng' }),
      vad: fvadFactory(2),
    },
    timings: { endOfTurnSilenceMs: 600, silenceTimeoutMs: 0, nudgeAfterMs: 0, ...o.timings },
    ...o.driver,
  });
  return {
    d,
    llm,
    stt,
    deepgram,
    realtime,
    async close() {
      await d.session.stop();
      await Promise.all([llm.close(), stt.close(), deepgram?.close(), realtime?.close()]);
    },
  };
}
