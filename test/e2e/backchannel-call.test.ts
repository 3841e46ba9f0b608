import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { startFakeDeepgramServer, type FakeDeepgramServer } from '../../src/voice/testing/fake-deepgram-server';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';
import { callerUlaw, firstRun, voicedFrames, type Piece } from './support/caller-speech';

/*
 * Backchannels on a real call: our UA dials a sipp trunk that answers and streams the caller's
 * real flite speech (8 kHz µ-law RTP) while the agent says a long greeting (real espeak-ng). The
 * caller's audio goes frame by frame to a FAKE Deepgram live server (its interim results reveal
 * one word per 100 ms of voiced audio); the LLM is scripted. What the agent sent on the wire is
 * read back from the call's stereo recording (right channel: the agent's RTP).
 */
const GREETING =
  'Hello and welcome to Acme Dental. Our opening hours are nine to five, Monday to Friday. We offer cleanings, fillings and check ups. How can I help you today?';
const REPLY = 'Of course. Which date would suit you?';
const INTERRUPTION = 'Wait, stop, I need to change the date.';

type Turn = { role: string; content: string };
for (const dialect of testDialects()) {
  describe(`backchannels on a call [${dialect}]`, () => {
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    let backchannels: FakeDeepgramServer;
    let interruption: FakeDeepgramServer;
    const sipps: SippProcess[] = [];
    const harnesses: CallE2e[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer((r) => (r.messages.some((m) => m.role === 'user') ? REPLY : GREETING));
      stt = await startFakeOpenAiSttServer(['THE UPLOAD WAS ASKED']);
      backchannels = await startFakeDeepgramServer({ script: ['Uh-huh.', 'Okay.'] });
      // The words at the first final; the later segments of the same sentence (its pauses) add nothing.
      interruption = await startFakeDeepgramServer({ script: (i) => (i === 0 ? INTERRUPTION : '') });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      for (const h of harnesses) await h.close();
      await Promise.all([llm?.close(), stt?.close(), backchannels?.close(), interruption?.close()]);
    });

    const call = async (deepgram: FakeDeepgramServer, pieces: Piece[], hangUpAfterMs: number) => {
      const h = await openCallE2e(dialect, {
        env: {
          LLM_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'fake-model',
          STT_BASE_URL: stt.baseUrl,
          STT_STREAMING_PROVIDER: 'deepgram',
          STT_STREAMING_URL: deepgram.url,
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
      const callId = await h.placeCall(orgId, { from, to: '+15550123456' });
      const row = await h.waitForTerminal(callId, 35_000);
      assert.equal(await sipp.exited, 0, sipp.diagnostics());
      assert.equal(row.end_reason, 'caller_hangup');
      const turns = (JSON.parse(row.transcript) as Turn[]).filter((t) => t.role === 'user' || t.role === 'assistant');
      assert.ok(row.recording_path, 'the call was recorded');
      return { turns, llmRequests: llm.requests.slice(requestsBefore), recording: row.recording_path };
    };

    test('"uh-huh" and "okay" while the agent speaks: its greeting plays to the end, no turn, no LLM request', async () => {
      const { turns, llmRequests, recording } = await call(
        backchannels,
        [{ silenceS: 3 }, { say: 'uh-huh' }, { silenceS: 2 }, { say: 'okay' }, { silenceS: 1 }],
        15_000,
      );
      assert.deepEqual(
        turns.map((t) => `${t.role}:${t.content}`),
        [`assistant:${GREETING}`],
        'the whole greeting was played and the backchannels are not turns',
      );
      assert.equal(llmRequests.length, 1, 'only the greeting was generated');
      assert.ok(backchannels.finals.length >= 1, 'the stand-in did hear the caller');
      // On the wire: the agent kept talking through the caller's backchannels.
      const caller = voicedFrames(recording, 0);
      const agent = voicedFrames(recording, 1);
      const spoke = firstRun(caller, 0);
      assert.ok(spoke > 0, 'the caller spoke');
      const window = agent.slice(spoke, spoke + 100); // the 2 s after the caller's "uh-huh" began
      const voiced = window.filter(Boolean).length;
      assert.ok(voiced >= 50, `agent audio continued: ${voiced} of 100 frames voiced after the backchannel`);
      assert.equal(stt.uploads.length, 0, 'the stream heard everything');
    });

    test('a real interruption still stops the agent, and the LLM gets the new turn', async () => {
      const { turns, llmRequests, recording } = await call(
        interruption,
        // Said in one breath (flite pauses at commas; the stand-in's words are all in its first final).
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
      // Replies may have been prepared on the words so far at the sentence's pauses; the one kept answers it all.
      assert.ok(llmRequests.length >= 2);
      assert.equal(llmRequests.at(-1)!.messages.at(-1)?.content, INTERRUPTION);
      // On the wire: the agent's greeting stopped while the caller spoke.
      const caller = voicedFrames(recording, 0);
      const agent = voicedFrames(recording, 1);
      const spoke = firstRun(caller, 0);
      const callerEnd = caller.lastIndexOf(true);
      assert.ok(spoke > 0 && callerEnd > spoke);
      const during = agent.slice(spoke + 50, callerEnd).filter(Boolean).length;
      assert.equal(during, 0, 'no agent audio from 1 s into the interruption to its end');
    });
  });
}
