import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDialects } from '../support/dialects';
import { encodeMulaw } from '../../src/audio/g711';
import { fliteSpeech, silenceFrames } from '../../src/voice/testing/speech-fixtures';
import {
  startFakeOpenAiLlmServer,
  type FakeLlmRequest,
  type FakeLlmServer,
} from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { startFakeDeepgramServer, type FakeDeepgramServer } from '../../src/voice/testing/fake-deepgram-server';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';

/*
 * Turn taking on a real call: our UA dials a sipp trunk that streams real synthesized speech
 * (flite, 8 kHz) after the agent's greeting; the agent streams it to a FAKE Deepgram live server
 * (scripted words per voiced segment, as the protocol delivers them); LLM scripted; TTS the real
 * espeak-ng. What the caller hears is what the call's transcript records as spoken.
 */
const GREETING = 'Hello, Acme Bistro.';
const EARLY = 'PREPARED TOO EARLY.';

type Turn = { role: string; content: string };

/** Voiced frames of flite speech, its leading and trailing quiet cut (a test's pause is the pause it plays). */
function spoken(text: string): Int16Array[] {
  const frames = fliteSpeech(text);
  const loud = (f: Int16Array): boolean => Math.sqrt(f.reduce((e, v) => e + v * v, 0) / f.length) > 300;
  return frames.slice(frames.findIndex(loud), frames.findLastIndex(loud) + 1);
}

/** A headerless µ-law file for sipp's rtp_stream: the parts one after another. */
function ulawFile(dir: string, name: string, parts: Int16Array[][]): string {
  const frames = parts.flat();
  const pcm = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    pcm.set(f, at);
    at += f.length;
  }
  const path = join(dir, `${name}.ulaw`);
  writeFileSync(path, encodeMulaw(pcm));
  return path;
}

const lastUser = (r: FakeLlmRequest): string | undefined =>
  [...r.messages].reverse().find((m) => m.role === 'user')?.content;

for (const dialect of testDialects()) {
  describe(`turn taking on a call [${dialect}]`, () => {
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    const sipps: SippProcess[] = [];
    const harnesses: CallE2e[] = [];
    const fakes: FakeDeepgramServer[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer((r) => {
        const text = (lastUser(r) ?? '').toLowerCase();
        if (r.messages.every((m) => m.role !== 'user')) return GREETING;
        if (text.includes('table for two')) return 'A table for two, certainly.';
        if (text.includes('appointment')) return 'Of course, which day?';
        return EARLY;
      });
      stt = await startFakeOpenAiSttServer(['THE UPLOAD WAS ASKED']);
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      for (const h of harnesses) await h.close();
      await Promise.all([llm?.close(), stt?.close(), ...fakes.map((f) => f.close())]);
    });

    /** One call: the trunk plays `parts` (3 s after the answer: the greeting first) and hangs up. */
    const call = async (
      deepgram: FakeDeepgramServer,
      parts: Int16Array[][],
      hangUpAfterMs: number,
    ): Promise<{ turns: Turn[]; llmFrom: number }> => {
      const h = await openCallE2e(dialect, {
        env: {
          LLM_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'fake-model',
          STT_BASE_URL: stt.baseUrl,
          STT_STREAMING_PROVIDER: 'deepgram',
          STT_STREAMING_URL: deepgram.url,
        },
        createAgent: realAgent,
      });
      harnesses.push(h);
      const audio = ulawFile(h.workDir, 'caller', [silenceFrames(3000), ...parts, silenceFrames(1000)]);
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: audio, hangUpAfterMs }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 30,
      });
      sipps.push(sipp);
      const llmFrom = llm.requests.length;
      const { orgId, from } = await h.orgWithTrunk(sipp.port);
      const callId = await h.placeCall(orgId, { from, to: '+15550123456' });
      const row = await h.waitForTerminal(callId, 25_000);
      assert.equal(await sipp.exited, 0, sipp.diagnostics());
      assert.equal(row.status, 'completed');
      assert.equal(row.end_reason, 'caller_hangup');
      const turns = (JSON.parse(row.transcript) as Turn[]).filter((t) => t.role === 'user' || t.role === 'assistant');
      return { turns, llmFrom };
    };

    test('a 400 ms pause mid-sentence is not answered: the reply prepared in it is discarded, never heard', async () => {
      const deepgram = await startFakeDeepgramServer({ script: ["I'd like to book", 'a table for two.'] });
      fakes.push(deepgram);
      const { turns, llmFrom } = await call(
        deepgram,
        [spoken("I'd like to book"), silenceFrames(400), spoken('a table for two.')],
        10_000,
      );
      assert.deepEqual(
        turns.map((t) => `${t.role}:${t.content}`),
        [`assistant:${GREETING}`, "user:I'd like to book a table for two.", 'assistant:A table for two, certainly.'],
      );
      const asked = llm.requests.slice(llmFrom).map(lastUser);
      assert.ok(asked.includes("I'd like to book"), `a reply was prepared in the pause (asked: ${asked.join(' | ')})`);
      assert.equal(stt.uploads.length, 0, 'the stream heard it; no upload');
    });

    test('the STT WebSocket dropped mid-utterance: it reconnects, resends, the words are answered, the call goes on', async () => {
      // The stream carries the caller's audio from shortly before their speech: 50 chunks (1 s) in,
      // they are mid-sentence.
      const deepgram = await startFakeDeepgramServer({ script: ['I need an appointment.'], dropAfterChunks: 50 });
      fakes.push(deepgram);
      const { turns } = await call(deepgram, [spoken('I need an appointment for next week please.')], 10_000);
      const [first, second] = deepgram.connections;
      assert.ok(first && second, 'the stream reconnected');
      assert.ok(first.voicedMs > 0, 'the drop came while the caller spoke');
      assert.ok(second.voicedMs >= first.voicedMs, 'the new connection got the utterance from its start');
      assert.deepEqual(
        turns.map((t) => `${t.role}:${t.content}`),
        [`assistant:${GREETING}`, 'user:I need an appointment.', 'assistant:Of course, which day?'],
      );
      assert.equal(stt.uploads.length, 0, 'the stream recovered; no upload');
    });
  });
}
