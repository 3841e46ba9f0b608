import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt, fliteSpeech } from './testing/speech-fixtures';
import { startAgentRig } from './testing/agent-test-rig';

/*
 * Backchannels while the agent speaks (turn/barge-in-policy.ts): the whole agent on a fake clock
 * (SessionDriver), real espeak-ng TTS, real WebRTC VAD, real flite speech for the caller, speech
 * to text from the Deepgram / OpenAI stand-ins.
 */
const LONG_GREETING =
  'Hello and welcome to Acme Dental. Our opening hours are nine to five, Monday to Friday. We offer cleanings, fillings and check ups. How can I help you today?';

/** flite speech without its leading and trailing quiet. */
const spoken = (text: string): Int16Array[] => {
  const frames = fliteSpeech(text);
  const loud = (f: Int16Array): boolean => Math.sqrt(f.reduce((e, v) => e + v * v, 0) / f.length) > 300;
  return frames.slice(frames.findIndex(loud), frames.findLastIndex(loud) + 1);
};

const roles = (tr: { role: string }[]): string[] => tr.map((t) => t.role);

describe('Backchannels do not interrupt the agent', () => {
  test('streaming: "uh-huh" and "okay" mid-greeting — the greeting plays to its end, no turn, no LLM request', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: [LONG_GREETING, 'NEVER ASKED.'],
      deepgram: { script: ['Uh-huh.', 'Okay.'] },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(1500);
      const before = d.audio.length;
      await d.play(spoken('uh-huh'));
      await d.silence(1200);
      await d.play(spoken('okay'));
      await d.silence(600);
      assert.ok(d.audio.length - before >= 100, 'the agent kept talking while the caller backchanneled');
      await d.untilAgentQuiet(1000);
      assert.deepEqual(d.interrupts, []);
      const tr = d.session.transcript();
      assert.deepEqual(roles(tr), ['assistant'], 'the backchannels are not turns');
      assert.equal(tr[0]!.content, LONG_GREETING, 'the whole greeting was played');
      assert.equal(rig.llm.requests.length, 1, 'only the greeting was generated');
      assert.ok(rig.deepgram!.finals.length >= 1, 'the stand-in did hear the caller');
      assert.deepEqual(d.metrics, []);
    } finally {
      await rig.close();
    }
  });

  test('streaming: a real interruption stops the agent on the interim words, long before the duration rule', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: [LONG_GREETING, 'Of course. Which date would suit you?'],
      // The words at the first final; later segments of the same sentence (its pauses) add nothing.
      deepgram: { script: (i) => (i === 0 ? 'Wait, stop, I need to change the date.' : '') },
      timings: { bargeInMinSpeechMs: 5000 },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(1500);
      const callerStart = d.nowMs;
      await d.play(spoken('wait, stop, I need to change the date'));
      assert.equal(d.interrupts.length, 1, 'interrupted once');
      const at = d.interrupts[0]!;
      // The stand-in reveals one word per 100 ms of voiced audio: two words are in well within a second.
      assert.ok(at - callerStart < 1500, `interrupted by the words (${at - callerStart} ms in), not the 5 s duration`);
      const second = rig.deepgram!.connections[0]!.sent.find(
        (m) => m.is_final === false && JSON.stringify(m).includes('Wait, stop'),
      );
      assert.ok(second, 'the interim with two words came before the interrupt');
      assert.equal(d.audio.filter((a) => a.atMs > at && a.atMs <= d.nowMs).length, 0, 'silent after the interrupt');
      await d.untilAgentQuiet(300);
      const tr = d.session.transcript();
      assert.deepEqual(roles(tr), ['assistant', 'user', 'assistant']);
      assert.ok(String(tr[0]!.content).length < LONG_GREETING.length, 'the greeting was cut');
      assert.equal(tr[1]!.content, 'Wait, stop, I need to change the date.');
      assert.equal(rig.llm.requests.at(-1)!.messages.at(-1)?.content, 'Wait, stop, I need to change the date.');
    } finally {
      await rig.close();
    }
  });

  test('upload STT: a short backchannel is heard out and dropped; speech past the duration interrupts', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: [LONG_GREETING, 'Sure, go ahead.'],
      stt: ['Mhm.', 'Hello, I have a question about my bill.'],
      timings: { bargeInMinSpeechMs: 700 },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(1000);
      await d.play(spoken('uh-huh'));
      await d.silence(900);
      assert.deepEqual(d.interrupts, [], 'no words before the upload: the short speech did not interrupt');
      assert.equal(rig.stt.uploads.length, 1, 'its words were asked for');
      assert.ok(!roles(d.session.transcript()).includes('user'), 'no user turn');
      assert.equal(rig.llm.requests.length, 1);
      // A longer utterance (Allison, 1.5 s) interrupts once 700 ms of it were voiced.
      const callerStart = d.nowMs;
      await d.play(asteriskPrompt('tt-weasels'));
      assert.equal(d.interrupts.length, 1);
      assert.ok(d.interrupts[0]! - callerStart >= 700, 'not before the duration was reached');
      await d.untilAgentQuiet(300);
      const tr = d.session.transcript();
      assert.deepEqual(roles(tr), ['assistant', 'user', 'assistant']);
      assert.equal(tr[1]!.content, 'Hello, I have a question about my bill.');
      assert.deepEqual(
        rig.llm.requests
          .at(-1)!
          .messages.filter((m) => m.role === 'user')
          .map((m) => m.content),
        ['Hello, I have a question about my bill.'],
        'the backchannel is not in the context',
      );
    } finally {
      await rig.close();
    }
  });

  test("upload STT: the words uploaded at the caller's first pause interrupt before the duration rule", async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: [LONG_GREETING, 'Of course. Which date?'],
      stt: ['Wait, I need to', 'Wait, I need to change the date.'],
      timings: { bargeInMinSpeechMs: 5000 },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(1000);
      await d.play(spoken('wait I need to'));
      await d.silence(400);
      assert.equal(rig.stt.uploads.length, 1, 'the words up to the pause were uploaded');
      assert.equal(d.interrupts.length, 1, 'their words (not a backchannel) stopped the agent');
      await d.play(spoken('change the date'));
      await d.untilAgentQuiet(300);
      const tr = d.session.transcript();
      assert.deepEqual(roles(tr), ['assistant', 'user', 'assistant']);
      assert.equal(tr[1]!.content, 'Wait, I need to change the date.');
    } finally {
      await rig.close();
    }
  });

  test('a short word that is not a backchannel ("no") is a turn: it stops the agent when its words are known', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: [LONG_GREETING, 'Sorry, what did I get wrong?'],
      deepgram: { script: ['No.'] },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(1500);
      await d.play(spoken('no'));
      await d.untilAgentQuiet(300);
      assert.equal(d.interrupts.length, 1);
      const tr = d.session.transcript();
      assert.deepEqual(roles(tr), ['assistant', 'user', 'assistant']);
      assert.equal(tr[1]!.content, 'No.');
    } finally {
      await rig.close();
    }
  });

  test('while the agent listens nothing is filtered: "yeah" answering a question is a turn', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: ['Would you like a reminder?', 'Great, I will send one.'],
      deepgram: { script: ['Yeah.'] },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.untilAgentQuiet(500);
      await d.play(spoken('yeah'));
      await d.untilAgentQuiet(300);
      const tr = d.session.transcript();
      assert.deepEqual(
        tr.map((t) => t.content),
        ['Would you like a reminder?', 'Yeah.', 'Great, I will send one.'],
      );
    } finally {
      await rig.close();
    }
  });

  test('filtering disabled: any speech stops the agent at once', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first' },
      llm: [LONG_GREETING, 'Yes?'],
      deepgram: { script: ['Uh-huh.'] },
      timings: { bargeInFilterBackchannels: false },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(1500);
      const callerStart = d.nowMs;
      await d.play(spoken('uh-huh'));
      assert.equal(d.interrupts.length, 1);
      assert.ok(d.interrupts[0]! - callerStart <= 200, 'at the speech start');
      await d.untilAgentQuiet(300);
      assert.deepEqual(roles(d.session.transcript()), ['assistant', 'user', 'assistant']);
    } finally {
      await rig.close();
    }
  });
});
