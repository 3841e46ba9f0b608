import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { startFakeDeepgramServer, type FakeDeepgramServer } from '../../src/voice/testing/fake-deepgram-server';
import {
  startFakeOpenAiRealtimeSttServer,
  type FakeRealtimeSttServer,
} from '../../src/voice/testing/fake-openai-realtime-stt-server';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { speechUlaw, startSipp, type SippProcess } from './support/sipp-runner';

/*
 * Streaming speech to text on a real call: our UA dials a sipp trunk that streams real 8 kHz human
 * speech (Allison: "Weasels have eaten our phone system", 2.5 s); the agent sends it frame by frame
 * to a FAKE Deepgram live / OpenAI Realtime transcription server (the upload STT is there as the
 * fallback and must not be asked). LLM scripted; TTS the real espeak-ng.
 */
const GREETING = 'Hello, Acme Dental front desk.';
const REPLY = 'Oh no. A technician is on the way.';
const HEARD = 'Weasels have eaten our phone system.';

type Turn = { role: string; content: string };

for (const dialect of testDialects()) {
  describe(`streaming speech to text on a call [${dialect}]`, () => {
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    let deepgram: FakeDeepgramServer;
    let realtime: FakeRealtimeSttServer;
    const sipps: SippProcess[] = [];
    const harnesses: CallE2e[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer((r) => (r.messages.some((m) => m.role === 'user') ? REPLY : GREETING));
      stt = await startFakeOpenAiSttServer(['THE UPLOAD WAS ASKED']);
      // The whole words at the first final; later segments of the same sentence (pauses) add nothing.
      deepgram = await startFakeDeepgramServer({ script: (i) => (i === 0 ? HEARD : '') });
      realtime = await startFakeOpenAiRealtimeSttServer({ script: (i) => (i === 0 ? 'Weasels have eaten our' : '') });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      for (const h of harnesses) await h.close();
      await Promise.all([llm?.close(), stt?.close(), deepgram?.close(), realtime?.close()]);
    });

    const call = async (env: Record<string, string>, hangUpAfterMs: number): Promise<Turn[]> => {
      const h = await openCallE2e(dialect, {
        env: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', STT_BASE_URL: stt.baseUrl, ...env },
        createAgent: realAgent,
      });
      harnesses.push(h);
      const audio = speechUlaw(h.workDir, 'tt-weasels', 3.0, 4.0);
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: audio, hangUpAfterMs }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 30,
      });
      sipps.push(sipp);
      const { orgId, from } = await h.orgWithTrunk(sipp.port);
      const callId = await h.placeCall(orgId, { from, to: '+15550123456' });
      const row = await h.waitForTerminal(callId, 25_000);
      assert.equal(await sipp.exited, 0, sipp.diagnostics());
      assert.equal(row.end_reason, 'caller_hangup');
      const turns = (JSON.parse(row.transcript) as Turn[]).filter((t) => t.role === 'user' || t.role === 'assistant');
      return turns;
    };

    test('Deepgram live: the caller is heard from the stream, answered, and the upload is never asked', async () => {
      const turns = await call({ STT_STREAMING_PROVIDER: 'deepgram', STT_STREAMING_URL: deepgram.url }, 9000);
      assert.deepEqual(
        turns.map((t) => `${t.role}:${t.content}`),
        [`assistant:${GREETING}`, `user:${HEARD}`, `assistant:${REPLY}`],
      );
      assert.equal(stt.uploads.length, 0);
      const conn = deepgram.connections.at(-1)!;
      assert.equal(conn.query.get('encoding'), 'mulaw');
      assert.ok(conn.voicedMs >= 1500, `the caller's speech streamed (${conn.voicedMs} ms voiced)`);
    });

    test('OpenAI Realtime: a caller who hangs up mid-sentence keeps their words in the transcript', async () => {
      // The trunk hangs up 1.5 s into the 2.5 s sentence (it starts 3 s after the answer).
      const turns = await call(
        { STT_STREAMING_PROVIDER: 'openai-realtime', STT_STREAMING_URL: realtime.url, TURN_PREPARE_REPLIES: 'false' },
        4500,
      );
      assert.deepEqual(
        turns.map((t) => `${t.role}:${t.content}`),
        [`assistant:${GREETING}`, 'user:Weasels have eaten our'],
      );
      assert.equal(stt.uploads.length, 0);
    });
  });
}
