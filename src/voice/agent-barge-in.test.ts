import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt } from './testing/speech-fixtures';
import { startAgentRig } from './testing/agent-test-rig';
import { FvadVad } from './vad/fvad-vad';

const LONG_GREETING =
  'Hello and welcome to Acme Dental. Our opening hours are nine to five, Monday to Friday. We offer cleanings, fillings and check ups. How can I help you today?';

describe('Barge-in', () => {
  test('unfiltered, caller speech stops the agent within one frame of the VAD decision, and the transcript keeps only what was played', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      timings: { bargeInFilterBackchannels: false },
      llm: [LONG_GREETING, 'Of course. What day would you like?'],
      stt: ['I want an appointment.'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(2000); // two seconds of the greeting are heard
      const framesBefore = d.audio.length;
      assert.ok(framesBefore >= 100 && framesBefore <= 104, `paced in real time: ${framesBefore} frames in 2 s`);

      // Where does the VAD decide the caller is speaking (3 speech frames in a row = 60 ms)?
      const speech = asteriskPrompt('hello-world');
      const vad = await FvadVad.create(2);
      let run = 0;
      const decisionIdx = speech.findIndex((f) => (run = vad.isSpeech(f) ? run + 1 : 0) >= 3);
      vad.close();
      const callerStart = d.nowMs;
      await d.play(speech);
      assert.equal(d.interrupts.length, 1);
      const decisionAt = callerStart + (decisionIdx + 1) * 20;
      assert.ok(
        d.interrupts[0]! - decisionAt <= 20,
        `interrupt at ${d.interrupts[0]} ms, VAD decided at ${decisionAt} ms`,
      );
      const afterInterrupt = d.audio.filter((a) => a.atMs > d.interrupts[0]! && a.atMs < d.nowMs);
      assert.equal(afterInterrupt.length, 0, 'no agent audio while the caller talks');

      await d.untilAgentQuiet(300);
      const tr = d.session.transcript();
      assert.deepEqual(
        tr.map((t) => t.role),
        ['assistant', 'user', 'assistant'],
      );
      const heard = String(tr[0]!.content);
      assert.ok(
        heard.length > 10 && heard.length < LONG_GREETING.length,
        `greeting cut to what was played: "${heard}"`,
      );
      assert.ok(LONG_GREETING.startsWith(heard), 'the kept text is the beginning of the greeting');
      assert.ok(tr[0]!.end_ms <= d.interrupts[0]! + 20 && tr[0]!.end_ms >= d.interrupts[0]! - 100);
      // The model is told what the caller really heard.
      const ctx = rig.llm.requests[1]!.messages;
      assert.deepEqual(ctx[1], { role: 'assistant', content: heard });
      assert.equal(tr[2]!.content, 'Of course. What day would you like?');
    } finally {
      await rig.close();
    }
  });

  test('speaking while the agent is still thinking cancels that answer; one answer follows the whole turn', async () => {
    const rig = await startAgentRig({
      llm: [{ text: 'Answer to the first part.', firstTokenDelayMs: 300 }, 'Answer to everything.'],
      stt: ['Hello.', 'I also need a receipt.'],
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.silence(620, { settle: false }); // end of turn: the first answer is requested…
      await d.play(asteriskPrompt('hello-world'), { settle: false }); // …and the caller goes on talking
      await d.untilAgentQuiet(300);
      const said = d.session
        .transcript()
        .filter((t) => t.role === 'assistant')
        .map((t) => t.content);
      assert.deepEqual(said, ['Answer to everything.']);
      assert.deepEqual(
        rig.llm.requests
          .at(-1)!
          .messages.filter((m) => m.role === 'user')
          .map((m) => m.content),
        ['Hello.', 'I also need a receipt.'],
      );
    } finally {
      await rig.close();
    }
  });
});
