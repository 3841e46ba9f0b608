import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/db';
import { parseRtpPacket } from '../../src/telephony/rtp/rtp-packet';
import { decodeMulaw, encodeMulaw } from '../../src/audio/g711';
import { EmbeddedTts } from '../../src/voice/tts/embedded-tts';
import { startFakeOpenAiLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { barePath } from './support/bare-path';
import { startServerProcess, type ServerProcess } from './support/server-process';
import { answeringTrunk } from './support/trunk-scenarios';
import { insertSippTrunkNumber } from './support/trunk-rows';
import { freeMediaPort, makeWorkDir, startSipp } from './support/sipp-runner';
import { randomRtpBase } from './support/server-env';

/*
 * A new user's first run: `src/main.ts` (what `npm start` runs) on a machine without the Debian
 * speech packages — its PATH holds only `node`, so espeak-ng, flite and sox cannot be found. The
 * embedded engine speaks: the banner and /v1/healthz say so and name espeak-ng as optional,
 * voices are listed (the default first), an agent is created with the hosted docs' voice id
 * en-US-James1, and a real call to a sipp trunk plays the agent's greeting. The trunk's SDP
 * points at this test's own UDP socket, so the RTP the trunk gets is decoded here: speech energy,
 * a plausible duration, and the loudness envelope of the greeting as the engine speaks it.
 * LLM and STT are the FAKE OpenAI-compatible servers (stand-ins for paid services).
 */
const SENTENCES = ['Hello, this is Acme Dental.', 'How can I help you today?'];
const GREETING = SENTENCES.join(' ');
/** What the agent synthesizes, piece by piece: the first clause of an answer on its own ("Hello,"). */
const SPOKEN_PIECES = ['Hello,', 'this is Acme Dental.', 'How can I help you today?'];

/** Loudness of each 20 ms frame in dBFS. */
function envelopeDb(pcm: Int16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    let sum = 0;
    for (let k = i; k < i + 160; k++) sum += pcm[k]! * pcm[k]!;
    out.push(Math.max(-60, 20 * Math.log10(Math.sqrt(sum / 160) / 32768 + 1e-9)));
  }
  return out;
}

/** Best Pearson correlation of `b` slid along `a` (lags of whole frames). */
function bestCorrelation(a: number[], b: number[]): number {
  let best = -1;
  for (let lag = 0; lag + b.length <= a.length; lag++) {
    const x = a.slice(lag, lag + b.length);
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const my = b.reduce((s, v) => s + v, 0) / b.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < b.length; i++) {
      sxy += (x[i]! - mx) * (b[i]! - my);
      sxx += (x[i]! - mx) ** 2;
      syy += (b[i]! - my) ** 2;
    }
    best = Math.max(best, sxy / Math.sqrt(sxx * syy));
  }
  return best;
}

describe('first run on a machine without espeak-ng, flite or sox', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('the embedded engine speaks: banner, healthz, voices, an en-US-James1 agent, an audible greeting on a sipp call', async () => {
    const dir = makeWorkDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const llm = await startFakeOpenAiLlmServer([GREETING]);
    const stt = await startFakeOpenAiSttServer(['Hi.']);
    cleanups.push(
      () => llm.close(),
      () => stt.close(),
    );
    const secretKey = randomBytes(32);
    const rtpBase = randomRtpBase();
    const env = {
      PATH: barePath(dir, ['node']),
      DATABASE_URL: `sqlite:${join(dir, 'tp.db')}`,
      THUNDERPHONE_SECRET_KEY: secretKey.toString('hex'),
      SIP_BIND: '127.0.0.1',
      SIP_PUBLIC_ADDRESS: '127.0.0.1',
      RTP_PORT_MIN: String(rtpBase),
      RTP_PORT_MAX: String(rtpBase + 200),
      RECORDINGS_DIR: join(dir, 'recordings'),
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'fake-model',
      STT_BASE_URL: stt.baseUrl,
      LOG_LEVEL: 'info',
    };
    const server: ServerProcess = await startServerProcess(env);
    cleanups.push(() => server.stop());
    assert.ok(server.apiKey, server.output());

    // The banner: the embedded engine speaks, espeak-ng is named as optional with its fix.
    const banner = server.output();
    assert.match(banner, /ok\s+tts\s+embedded \(flite WebAssembly\): 5 voices, default en-US-Kal/);
    assert.match(banner, /optional: espeak-ng \(voices in 100\+ languages\): apt-get install espeak-ng/);
    assert.match(banner, /warning\s+sip\s+the public address 127\.0\.0\.1 is a loopback address/);
    const chosen = server.logLines().find((l) => l.msg === 'text to speech engine chosen');
    assert.deepEqual(
      [chosen?.configured, chosen?.engine, chosen?.installed?.['espeak-ng'], chosen?.installed?.embedded],
      ['auto', 'embedded', false, true],
      'the choice is logged',
    );

    // /v1/healthz reports the same, without authentication.
    const health = await server.api('GET', '/v1/healthz', undefined, '');
    assert.equal(health.status, 200);
    const tts = health.body.checks.tts;
    assert.deepEqual([tts.status, tts.engine, tts.voices, tts.default_voice], ['ok', 'embedded', 5, 'en-US-Kal']);
    assert.deepEqual(
      tts.optional.find((o: { engine: string }) => o.engine === 'espeak-ng'),
      { engine: 'espeak-ng', improves: 'voices in 100+ languages', fix: 'apt-get install espeak-ng' },
    );
    assert.deepEqual(
      ['sip', 'rtp', 'llm', 'stt'].map((part) => health.body.checks[part].status),
      ['warning', 'ok', 'ok', 'ok'],
    );

    // Voices: the default first; the hosted ids are there too.
    const voices = await server.api('GET', '/v1/voices');
    assert.equal(voices.status, 200);
    assert.equal(voices.body[0].id, 'en-US-Kal');
    assert.ok(voices.body.every((v: { engine: string }) => v.engine === 'embedded'));
    assert.ok(voices.body.some((v: { id: string }) => v.id === 'en-US-James1'));

    const agent = await server.api('POST', '/v1/agents', {
      name: 'Front desk',
      prompt: 'You answer the phone for Acme Dental.',
      voice: 'en-US-James1',
    });
    assert.equal(agent.status, 201, JSON.stringify(agent.body));

    // A trunk whose SDP sends our RTP to this test's socket.
    const sinkPort = await freeMediaPort();
    const sink: Socket = createSocket('udp4');
    await new Promise<void>((r) => sink.bind(sinkPort, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => sink.close(() => r())));
    const payloads: Uint8Array[] = []; // loopback keeps the order
    sink.on('message', (msg) => {
      const parsed = parseRtpPacket(msg);
      if (parsed.ok && parsed.packet.payloadType === 0) payloads.push(parsed.packet.payload);
    });
    const sipp = await startSipp({
      scenarioXml: answeringTrunk({ hangUpAfterMs: 7000, sdpMediaPort: sinkPort }),
      transport: 'udp',
      workDir: dir,
      timeoutS: 40,
    });
    cleanups.push(() => sipp.kill());

    const store: Store = await openStore(env.DATABASE_URL);
    cleanups.push(() => store.destroy());
    const org = await store.db.selectFrom('orgs').selectAll().executeTakeFirstOrThrow();
    const from = '+15557770001';
    await insertSippTrunkNumber(store.db, { orgId: org.id, secretKey, sippPort: sipp.port, number: from });

    const placed = await server.api('POST', '/v1/call', {
      from_number: from,
      to_number: '+15550123456',
      agent_id: agent.body.id,
    });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(await sipp.exited, 0, sipp.diagnostics());
    let call: { status: string; end_reason: string; transcript?: unknown } | undefined;
    for (let i = 0; i < 200; i++) {
      call = (await server.api('GET', `/v1/calls/${placed.body.call_id}`)).body;
      if (call?.status !== 'in_progress') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual([call?.status, call?.end_reason], ['completed', 'caller_hangup'], server.output());
    const transcript = await server.api('GET', `/v1/calls/${placed.body.call_id}/transcript`);
    assert.equal(transcript.body.transcripts[0]?.content, GREETING);

    // What the trunk heard: its µ-law RTP, decoded.
    const heard = decodeMulaw(Buffer.concat(payloads));
    const env8k = envelopeDb(heard);
    const voiced = env8k.filter((db) => db > -40);
    const firstVoiced = env8k.findIndex((db) => db > -40);
    const lastVoiced = env8k.length - 1 - [...env8k].reverse().findIndex((db) => db > -40);
    const spanS = ((lastVoiced - firstVoiced + 1) * 20) / 1000;
    assert.ok(heard.length / 8000 > 5, `the trunk received ${heard.length / 8000} s of RTP`);
    assert.ok(voiced.length * 0.02 > 1.5, `speech energy in ${voiced.length * 20} ms of audio`);
    assert.ok(spanS > 2 && spanS < 6, `the greeting lasts ${spanS} s`);
    assert.ok(Math.max(...env8k) > -25, `peak loudness ${Math.max(...env8k).toFixed(1)} dBFS`);

    // ...and it is the greeting: its loudness contour matches the engine's own rendering, piece
    // by piece as the agent speaks it (each piece's last frame padded with silence).
    const reference: number[] = [];
    for (const sentence of SPOKEN_PIECES) {
      const start = reference.length;
      for await (const chunk of new EmbeddedTts().synthesize(sentence, { voice: 'kal' })) reference.push(...chunk);
      while ((reference.length - start) % 160 !== 0) reference.push(0);
    }
    const refPcm = decodeMulaw(encodeMulaw(Int16Array.from(reference)));
    const correlation = bestCorrelation(env8k, envelopeDb(refPcm));
    assert.ok(correlation > 0.8, `loudness contour correlation with the spoken greeting: ${correlation.toFixed(3)}`);
  });
});
