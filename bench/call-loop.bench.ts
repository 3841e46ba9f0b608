/**
 * Call loop over real SIP and RTP on loopback, with instant fake providers (loopback
 * OpenAI-compatible LLM/STT fakes answering at once, a tone TTS, the real WebRTC VAD):
 *   our CallRuntime dials → a second CallAgent (SIP user agent) in this process plays the trunk + caller
 *   (answers, listens on its RTP session, talks real 8 kHz speech back).
 * Figures, measured at the far end on the wire:
 *  1. answer (200 OK sent) → first agent audio received. Target ≤ 1 s p95.
 *  2. end of caller speech (last speech frame sent) → first agent audio received, minus the
 *     agent's end-of-turn silence (600 ms). Target ≤ 50 ms p95 beyond endpointing.
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
import { fvadFactory } from '../src/voice/vad/fvad-vad';
import { ToneTts } from '../src/voice/testing/fake-tts';
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

const CALLS = 15;
const END_OF_TURN_SILENCE_MS = 600;
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
  const llm = await startFakeOpenAiLlmServer(['Hello.']);
  const stt = await startFakeOpenAiSttServer(['I need an appointment.']);
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
    createAgent: agentFactory({
      config,
      voices: deps.voices,
      clock: systemClock,
      log: silentLogger,
      toolHttp: fetchToolHttpClient,
      providers: () => ({
        llm: new OpenAiLlm({ baseUrl: llm.baseUrl, model: 'fake' }),
        stt: new OpenAiStt({ baseUrl: stt.baseUrl, model: 'fake' }),
        tts: new ToneTts(100),
        vad: fvadFactory(2),
      }),
      timings: { endOfTurnSilenceMs: END_OF_TURN_SILENCE_MS, silenceTimeoutMs: 0, nudgeAfterMs: 0 },
    }),
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
  const answerToFirst: number[] = [];
  const added: number[] = [];
  let current: { resolve: (leg: CallLeg) => void } | undefined;
  far.on('incomingCall', (incoming) => {
    void incoming.accept().then((leg) => current?.resolve(leg));
  });

  try {
    for (let i = 0; i < CALLS; i++) {
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
      const leg = await legP;
      const answeredAt = performance.now();
      const media = leg.media!;
      let heardAt: number | undefined;
      media.on('audio', (f) => {
        if (heardAt === undefined && loud(f)) heardAt = performance.now();
      });
      while (heardAt === undefined) await sleep(1);
      answerToFirst.push(heardAt - answeredAt);
      await sleep(800); // the greeting (a short tone) plays out
      let sent = 0;
      let speechEndAt: number | undefined;
      media.on('sent', () => {
        sent += 1;
        if (sent === lastLoud + 1) speechEndAt = performance.now();
      });
      for (const f of [...speech, ...silenceFrames(END_OF_TURN_SILENCE_MS + 400)]) media.sendAudio(f);
      while (speechEndAt === undefined) await sleep(1);
      heardAt = undefined;
      const deadline = performance.now() + 5000;
      while (heardAt === undefined && performance.now() < deadline) await sleep(1);
      if (heardAt !== undefined) added.push(heardAt - speechEndAt - END_OF_TURN_SILENCE_MS);
      await leg.hangUp();
      await runtime.whenEnded(call.id);
    }
    const fmt = (xs: number[]): string =>
      `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
    console.log(
      `answer → first agent audio on the wire: ${fmt(answerToFirst)}  [target p95 <= 1000 ms: ${pct(answerToFirst, 95) <= 1000 ? 'met' : 'MISSED'}]`,
    );
    console.log(
      `end of caller speech → agent audio on the wire, beyond ${END_OF_TURN_SILENCE_MS} ms endpointing: ${fmt(added)}  [target p95 <= 50 ms: ${pct(added, 95) <= 50 ? 'met' : 'MISSED'}]`,
    );
  } finally {
    await runtime.stop();
    await far.close();
    await deps.queue.stop(1000);
    await store.destroy();
    await llm.close();
    await stt.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
