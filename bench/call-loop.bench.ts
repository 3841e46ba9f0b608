/**
 * Call loop over real SIP and RTP on loopback: our CallRuntime dials → a second CallAgent (SIP
 * user agent) in this process plays the trunk + caller (answers, listens on its RTP session, talks
 * real 8 kHz speech back: Debian's Allison recordings). The agent runs the real pipeline (WebRTC
 * VAD, turn-taking, local espeak-ng) against provider stand-ins that behave like fast real services:
 *   - LLM: first token 300 ms after the request (BENCH_CALL_LOOP_LLM_FIRST_TOKEN_MS), then a chunk every 15 ms;
 *   - upload STT: answers 300 ms after the upload;
 *   - streaming STT (fake Deepgram live): interim results every 100 ms, the final 150 ms after speech ends.
 * Figures, measured at the far end on the wire:
 *  1. answer (200 OK sent) → first agent audio received. Target ≤ 1 s p95.
 *  2. voice to voice: the caller's last voiced frame leaving the trunk → the agent's first voiced
 *     frame arriving, p50/p90 with the pipeline's split, for: the old turn-taking (upload, fixed
 *     600 ms silence), the upload with the adaptive end of turn and prepared replies, and streaming.
 *     Targets (issue #10): streaming p50 ≤ 500 ms, p90 ≤ 650 ms; upload p50 ≤ 900 ms.
 * Knobs (environment):
 *   BENCH_CALL_LOOP_TTS_FIRST_AUDIO_MS=150  speak through the hosted TTS stand-in (OpenAI-compatible
 *                                           /audio/speech, fake-openai-tts-server.ts) whose first audio
 *                                           leaves this many ms after the request, instead of espeak-ng;
 *   BENCH_CALL_LOOP_LLM_FIRST_TOKEN_MS=100  the LLM stand-in's first token delay (default 300 ms); the
 *                                           early TTS only saves time when the prepared reply's first
 *                                           clause exists before the end of the turn;
 *   BENCH_CALL_LOOP_PREPARE_AUDIO=false     no early TTS of the prepared reply's first clause
 *                                           (TURN_PREPARE_AUDIO=false), to compare with it on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load';
import { buildDeps } from '../src/app/build-deps';
import { openStore } from '../src/store/db';
import { systemClock } from '../src/shared/clock';
import { cryptoIds } from '../src/shared/ids';
import { silentLogger } from '../src/shared/log';
import { createOrg } from '../src/orgs/org-service';
import { fetchToolHttpClient } from '../src/voice/index';
import { OpenAiLlm } from '../src/voice/llm/openai-llm';
import { OpenAiStt } from '../src/voice/stt/openai-stt';
import { DeepgramStt } from '../src/voice/stt/deepgram-stt';
import { fvadFactory } from '../src/voice/vad/fvad-vad';
import { SpawnTts } from '../src/voice/tts/spawn-tts';
import { OpenAiTts } from '../src/voice/tts/openai-tts';
import { startFakeOpenAiTtsServer } from '../src/voice/testing/fake-openai-tts-server';
import { startFakeDeepgramServer } from '../src/voice/testing/fake-deepgram-server';
import type { AgentProviders, AgentTimings, TurnMetrics } from '../src/voice/index';
import { startFakeOpenAiLlmServer } from '../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from '../src/voice/testing/fake-openai-stt-server';
import { asteriskPrompt, silenceFrames } from '../src/voice/testing/speech-fixtures';
import { CallAgent } from '../src/telephony/call/call-agent';
import { RtpPortPool } from '../src/telephony/rtp/port-pool';
import type { CallLeg } from '../src/telephony/call/call-leg';
import { agentFactory } from '../src/calls/agent-factory';
import { CallRuntime, DIAL_QUEUE } from '../src/calls/call-runtime';
import { inboundConfigResolver } from '../src/calls/inbound-config';
import { startSipCallParts } from '../src/calls/sip-call-parts';

const CALLS = 5;
const TURNS_PER_SCENARIO = 16;
const CALLS_PER_SCENARIO = 2;
const REPLY = 'Sure, I can do that. Which day?';
const TTS_FIRST_AUDIO_MS = process.env.BENCH_CALL_LOOP_TTS_FIRST_AUDIO_MS;
const LLM_FIRST_TOKEN_MS = Number(process.env.BENCH_CALL_LOOP_LLM_FIRST_TOKEN_MS ?? 300);
const PREPARE_AUDIO = process.env.BENCH_CALL_LOOP_PREPARE_AUDIO !== 'false';
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const loud = (f: Int16Array): boolean => {
  let e = 0;
  for (const s of f) e += s * s;
  return Math.sqrt(e / f.length) > 500;
};

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
  const llm = await startFakeOpenAiLlmServer([
    { text: REPLY, firstTokenDelayMs: LLM_FIRST_TOKEN_MS, chunkDelayMs: 15 },
  ]);
  const stt = await startFakeOpenAiSttServer([{ text: 'I need an appointment.', delayMs: 300 }]);
  const deepgram = await startFakeDeepgramServer({
    script: ['I need an appointment.'],
    interimEveryMs: 100,
    finalAfterSilenceMs: 150,
    finalizeMinSilenceMs: 150,
  });
  const hostedTts =
    TTS_FIRST_AUDIO_MS === undefined
      ? undefined
      : await startFakeOpenAiTtsServer({ firstAudioDelayMs: Number(TTS_FIRST_AUDIO_MS) });
  const tts = hostedTts
    ? new OpenAiTts({ baseUrl: hostedTts.baseUrl, model: 'fake-tts' })
    : new SpawnTts({ engine: 'espeak-ng' });
  console.log(
    `LLM first token after ${LLM_FIRST_TOKEN_MS} ms; TTS: ${hostedTts ? `hosted stand-in, first audio after ${TTS_FIRST_AUDIO_MS} ms` : 'espeak-ng'}; early TTS of the prepared reply's first clause: ${PREPARE_AUDIO ? 'on' : 'off'}`,
  );
  const upload = (): AgentProviders => ({
    llm: new OpenAiLlm({ baseUrl: llm.baseUrl, model: 'fake' }),
    stt: new OpenAiStt({ baseUrl: stt.baseUrl, model: 'fake' }),
    tts,
    vad: fvadFactory(2),
  });
  const scenarios: { name: string; providers: () => AgentProviders; timings: Partial<AgentTimings> }[] = [
    {
      name: 'before: upload STT, fixed 600 ms silence',
      providers: upload,
      timings: {
        endOfTurnSilenceMs: 600,
        turnMinSilenceMs: 600,
        turnMaxSilenceMs: 600,
        turnPauseMs: 600,
        prepareReplies: false,
      },
    },
    { name: 'upload STT, adaptive end of turn, prepared reply', providers: upload, timings: {} },
    {
      name: 'streaming STT (Deepgram live), adaptive end of turn, prepared reply',
      providers: () => ({
        ...upload(),
        sttStreaming: new DeepgramStt({
          url: deepgram.url,
          encoding: 'mulaw',
          endpointingMs: 150,
          utteranceEndMs: 1000,
        }),
      }),
      timings: {},
    },
  ];
  let scenario = scenarios[0]!;
  const timings: Partial<AgentTimings> = { silenceTimeoutMs: 0, nudgeAfterMs: 0, prepareReplyAudio: PREPARE_AUDIO };
  const turnMetrics: TurnMetrics[] = [];
  /** Barge-ins (the agent cut off); the caller only speaks once the agent is quiet, so 0 is expected. */
  let interrupts = 0;
  const base = 30_000 + 2 * Math.floor(Math.random() * 10_000);
  const config = loadConfig(
    {
      LOG_LEVEL: 'silent',
      SIP_PORT: '0',
      SIP_BIND: '127.0.0.1',
      SIP_PUBLIC_ADDRESS: '127.0.0.1',
      RTP_PORT_MIN: String(base),
      RTP_PORT_MAX: String(base + 200),
      RECORDINGS_DIR: join(dir, 'rec'),
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake',
      STT_BASE_URL: stt.baseUrl,
    },
    { persistSecretKey: false },
  );
  const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
  const deps = await buildDeps({
    config,
    clock: systemClock,
    ids: cryptoIds,
    log: silentLogger,
    store,
    queuePollMs: 20,
  });
  const parts = await startSipCallParts({
    config,
    clock: systemClock,
    log: silentLogger,
    createAgent: async (row) => {
      const agent = await agentFactory({
        config,
        voices: deps.voices,
        clock: systemClock,
        log: silentLogger,
        toolHttp: fetchToolHttpClient,
        providers: () => scenario.providers(),
        // Read at each call: the scenario's timings.
        timings: { ...timings, ...scenario.timings },
      })(row);
      agent.on('metrics', (m) => turnMetrics.push(m));
      agent.on('interrupt', () => (interrupts += 1));
      return agent;
    },
  });
  const runtime = new CallRuntime({
    config,
    store,
    queue: deps.queue,
    clock: systemClock,
    log: silentLogger,
    secretBox: deps.secretBox,
    events: deps.webhooks,
    parts,
    instance: 'bench',
    inboundConfig: inboundConfigResolver(store.db, deps.webhooks),
  });
  await runtime.start();
  await deps.queue.start();
  const far = await CallAgent.start({
    bindAddress: '127.0.0.1',
    port: 0,
    transports: ['udp'],
    media: { pool: new RtpPortPool(base + 300, base + 500), bindAddress: '127.0.0.1' },
  });

  const { org } = await createOrg(store.db, systemClock, cryptoIds, { name: 'Bench', balanceCents: 1_000_000 });
  const now = systemClock.nowIso();
  const voip = await store.db
    .insertInto('voip_connections')
    .values({
      org_id: org.id,
      name: 'far',
      provider: 'manual',
      setup_method: 'manual',
      status: 'connected',
      inferred_name: 0,
      sip_config: JSON.stringify({ host: '127.0.0.1', port: far.port, transport: 'udp' }),
      credentials_enc: deps.secretBox.sealJson({ username: 'u', password: 'p' }),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const from = `+1555${Date.now().toString().slice(-7)}`;
  await store.db
    .insertInto('phone_numbers')
    .values({
      org_id: org.id,
      number: from,
      source: 'voip',
      status: 'active',
      voip_connection_id: voip.id,
      created_at: now,
      updated_at: now,
    })
    .execute();

  const speech = asteriskPrompt('hello-world');
  // End of speech = the last audible frame of the clip (the file ends with some quiet).
  const lastLoud = speech.reduce((last, f, i) => (loud(f) ? i : last), 0);
  let current: { resolve: (leg: CallLeg) => void } | undefined;
  far.on('incomingCall', (incoming) => {
    void incoming.accept().then((leg) => current?.resolve(leg));
  });
  const placeCall = async (): Promise<{ leg: CallLeg; callId: number }> => {
    const legP = new Promise<CallLeg>((resolve) => (current = { resolve }));
    const call = await store.db
      .insertInto('calls')
      .values({
        org_id: org.id,
        direction: 'outbound',
        from_number: from,
        to_number: '+15550100000',
        status: 'in_progress',
        config: JSON.stringify({
          prompt: 'Bench.',
          voice: 'en-US-James1',
          product: 'spark',
          tools: [],
          speak_order: 'agent_first',
        }),
        variables: '{}',
        product: 'spark',
        voice: 'en-US-James1',
        transcript: '[]',
        metrics: '{}',
        is_test_call: 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.queue.enqueue(DIAL_QUEUE, { callId: call.id });
    return { leg: await legP, callId: Number(call.id) };
  };
  /** The far end's ear: when the agent was last heard, and the first voiced frame after a moment. */
  const listen = (leg: CallLeg) => {
    const media = leg.media!;
    const heard: number[] = [];
    media.on('audio', (f) => {
      if (loud(f)) heard.push(performance.now());
    });
    let sent = 0;
    let speechEndAt: number | undefined;
    let target = Infinity;
    media.on('sent', () => {
      sent += 1;
      if (sent === target) speechEndAt = performance.now();
    });
    return {
      firstHeardAfter: async (t: number, timeoutMs: number): Promise<number | undefined> => {
        const deadline = performance.now() + timeoutMs;
        for (;;) {
          const h = heard.find((x) => x > t);
          if (h !== undefined || performance.now() > deadline) return h;
          await sleep(1);
        }
      },
      untilQuiet: async (quietMs: number): Promise<void> => {
        while (performance.now() - (heard.at(-1) ?? 0) < quietMs) await sleep(10);
      },
      /**
       * Sends the caller's utterance and trailing silence; resolves when its last voiced frame left
       * (the frames still queued from the previous utterance's silence are counted: they go first).
       */
      say: async (): Promise<number> => {
        // Frames still queued from the last utterance's trailing silence leave first.
        target = sent + Math.round(media.outgoingQueuedMs / 20) + lastLoud + 1;
        speechEndAt = undefined;
        for (const f of [...speech, ...silenceFrames(2500)]) media.sendAudio(f);
        while (speechEndAt === undefined) await sleep(1);
        return speechEndAt;
      },
    };
  };

  const answerToFirst: number[] = [];
  const results: {
    name: string;
    v2v: number[];
    metrics: TurnMetrics[];
    llmPerTurn: number;
    sttPerTurn: number;
    interrupts: number;
  }[] = [];
  try {
    for (let i = 0; i < CALLS; i++) {
      const { leg, callId } = await placeCall();
      const answeredAt = performance.now();
      const ear = listen(leg);
      const first = await ear.firstHeardAfter(answeredAt, 5000);
      if (first !== undefined) answerToFirst.push(first - answeredAt);
      await leg.hangUp();
      await runtime.whenEnded(callId);
    }
    for (const sc of scenarios) {
      scenario = sc;
      const v2v: number[] = [];
      const from = turnMetrics.length;
      const interrupts0 = interrupts;
      const llm0 = llm.requests.length;
      const stt0 = stt.uploads.length + deepgram.finals.length;
      for (let c = 0; c < CALLS_PER_SCENARIO; c++) {
        const { leg, callId } = await placeCall();
        const ear = listen(leg);
        await ear.firstHeardAfter(0, 5000);
        for (let t = 0; t < TURNS_PER_SCENARIO / CALLS_PER_SCENARIO; t++) {
          await ear.untilQuiet(500); // the agent's last answer has played out
          const endAt = await ear.say();
          const heardAt = await ear.firstHeardAfter(endAt, 5000);
          if (heardAt !== undefined) v2v.push(heardAt - endAt);
        }
        await ear.untilQuiet(300);
        await leg.hangUp();
        await runtime.whenEnded(callId);
      }
      // Greetings are LLM requests too: one per call.
      const turns = turnMetrics.length - from;
      results.push({
        name: sc.name,
        v2v,
        metrics: turnMetrics.slice(from),
        llmPerTurn: (llm.requests.length - llm0 - CALLS_PER_SCENARIO) / turns,
        sttPerTurn: (stt.uploads.length + deepgram.finals.length - stt0) / turns,
        interrupts: interrupts - interrupts0,
      });
    }
    const fmt = (xs: number[]): string =>
      `p50 ${pct(xs, 50).toFixed(0)} ms, p90 ${pct(xs, 90).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (n=${xs.length})`;
    console.log(
      `answer → first agent audio on the wire: ${fmt(answerToFirst)}  [target p95 <= 1000 ms: ${pct(answerToFirst, 95) <= 1000 ? 'met' : 'MISSED'}]`,
    );
    console.log("voice to voice on the wire (caller's last voiced frame sent → agent's first voiced frame received):");
    for (const r of results) {
      const m = r.metrics;
      const split = (f: (x: TurnMetrics) => number | null): string =>
        pct(
          m.map((x) => f(x) ?? NaN),
          50,
        ).toFixed(0);
      console.log(`  ${r.name}: ${fmt(r.v2v)}`);
      console.log(
        `    split p50: endpointing ${split((x) => x.endpointingMs)} ms | STT after end of turn ${split((x) => x.sttMs)} ms | LLM first token ${split((x) => x.llmFirstTokenMs)} ms | TTS first audio ${split((x) => x.ttsFirstAudioMs)} ms (end-of-turn decision → first agent frame ${split((x) => x.firstAudioMs)} ms); cost: ${r.llmPerTurn.toFixed(2)} LLM requests and ${r.sttPerTurn.toFixed(2)} STT uploads/finals per turn, ${r.interrupts} barge-ins`,
      );
    }
    const [before, up, streaming] = results.map((r) => r.v2v);
    console.log(
      `  targets: streaming p50 <= 500 ms ${pct(streaming!, 50) <= 500 ? 'met' : 'MISSED'}, p90 <= 650 ms ${pct(streaming!, 90) <= 650 ? 'met' : 'MISSED'}; upload p50 <= 900 ms ${pct(up!, 50) <= 900 ? 'met' : 'MISSED'}; streaming vs before: ${(pct(before!, 50) / pct(streaming!, 50)).toFixed(2)}x faster at p50`,
    );
  } finally {
    await runtime.stop();
    await far.close();
    await deps.queue.stop(1000);
    await store.destroy();
    await llm.close();
    await stt.close();
    await deepgram.close();
    await hostedTts?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
