import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';
import { callerUlaw, firstRun, voicedFrames, type Piece } from './support/caller-speech';

/*
 * Backchannels on a real call with the upload (non-streaming) speech to text: as in
 * backchannel-call.test.ts our UA dials a sipp trunk that streams the caller's real flite speech
 * while the agent says a long greeting (real espeak-ng), but each utterance is uploaded to a FAKE
 * OpenAI-compatible transcription server. There are no interim words: while the agent speaks, the
 * voiced duration alone (BARGE_IN_MIN_SPEECH_MS) decides whether the caller interrupts, and a
 * short utterance is judged on its uploaded words.
 */
const GREETING =
  'Hello and welcome to Acme Dental. Our opening hours are nine to five, Monday to Friday. We offer cleanings, fillings and check ups. How can I help you today?';
const REPLY = 'Of course. Which date would suit you?';
const INTERRUPTION = 'Wait, stop, I need to change the date.';

type Turn = { role: string; content: string };

for (const dialect of testDialects()) {
  describe(`backchannels on a call, upload speech to text [${dialect}]`, () => {
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    const sipps: SippProcess[] = [];
    const harnesses: CallE2e[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer((r) => (r.messages.some((m) => m.role === 'user') ? REPLY : GREETING));
      // What the caller said, by how long the uploaded audio is: the backchannels are short.
      stt = await startFakeOpenAiSttServer((upload) => (upload.durationMs < 1200 ? 'Uh-huh.' : INTERRUPTION));
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      for (const h of harnesses) await h.close();
      await Promise.all([llm?.close(), stt?.close()]);
    });

    const call = async (pieces: Piece[], hangUpAfterMs: number) => {
      const h = await openCallE2e(dialect, {
        env: {
          LLM_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'fake-model',
          STT_BASE_URL: stt.baseUrl,
          BARGE_IN_MIN_SPEECH_MS: '900',
          BARGE_IN_MIN_WORDS: '2',
        },
        createAgent: realAgent,
      });
      harnesses.push(h);
      const audio = callerUlaw(h.workDir, 'caller', pieces);
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: audio, hangUpAfterMs }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 40,
      });
      sipps.push(sipp);
      const { orgId, from } = await h.orgWithTrunk(sipp.port);
      const requestsBefore = llm.requests.length;
      const uploadsBefore = stt.uploads.length;
      const callId = await h.placeCall(orgId, { from, to: '+15550123456' });
      const row = await h.waitForTerminal(callId, 35_000);
      assert.equal(await sipp.exited, 0, sipp.diagnostics());
      assert.equal(row.end_reason, 'caller_hangup');
      const turns = (JSON.parse(row.transcript) as Turn[]).filter((t) => t.role === 'user' || t.role === 'assistant');
      assert.ok(row.recording_path, 'the call was recorded');
      return {
        turns,
        llmRequests: llm.requests.slice(requestsBefore),
        uploads: stt.uploads.slice(uploadsBefore),
        recording: row.recording_path,
      };
    };

    test('"uh-huh" and "okay" while the agent speaks: its greeting plays to the end, no turn, no LLM request', async () => {
      const { turns, llmRequests, uploads, recording } = await call(
        [{ silenceS: 3 }, { say: 'uh-huh' }, { silenceS: 2 }, { say: 'okay' }, { silenceS: 1 }],
        15_000,
      );
      assert.deepEqual(
        turns.map((t) => `${t.role}:${t.content}`),
        [`assistant:${GREETING}`],
        'the whole greeting was played and the backchannels are not turns',
      );
      assert.equal(llmRequests.length, 1, 'only the greeting was generated');
      assert.ok(uploads.length >= 2, `both backchannels were uploaded (${uploads.length} uploads)`);
      const caller = voicedFrames(recording, 0);
      const agent = voicedFrames(recording, 1);
      const spoke = firstRun(caller, 0);
      assert.ok(spoke > 0, 'the caller spoke');
      const voiced = agent.slice(spoke, spoke + 100).filter(Boolean).length;
      assert.ok(voiced >= 50, `agent audio continued: ${voiced} of 100 frames voiced after the backchannel`);
    });

    test('a real interruption (longer than BARGE_IN_MIN_SPEECH_MS) stops the agent, and the LLM gets the new turn', async () => {
      const { turns, llmRequests, recording } = await call(
        [{ silenceS: 3 }, { say: 'wait stop I need to change the date' }, { silenceS: 1 }],
        12_000,
      );
      assert.deepEqual(
        turns.map((t) => t.role),
        ['assistant', 'user', 'assistant'],
      );
      assert.ok(turns[0]!.content.length < GREETING.length / 2, `the greeting was cut: "${turns[0]!.content}"`);
      assert.ok(GREETING.startsWith(turns[0]!.content));
      assert.equal(turns[1]!.content, INTERRUPTION);
      assert.equal(turns[2]!.content, REPLY);
      assert.equal(llmRequests.at(-1)!.messages.at(-1)?.content, INTERRUPTION);
      // On the wire: the agent stopped while the caller spoke. Without interim words it is the voiced
      // duration that interrupts (900 ms of speech, the gaps between the words not counted): 1.5 s in.
      const caller = voicedFrames(recording, 0);
      const agent = voicedFrames(recording, 1);
      const spoke = firstRun(caller, 0);
      const callerEnd = caller.lastIndexOf(true);
      assert.ok(spoke > 0 && callerEnd > spoke + 75);
      const during = agent.slice(spoke + 75, callerEnd).filter(Boolean).length;
      assert.equal(during, 0, 'no agent audio from 1.5 s into the interruption to its end');
    });
  });
}
