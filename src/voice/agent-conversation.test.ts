import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt, fliteSpeech } from './testing/speech-fixtures';
import { startAgentRig } from './testing/agent-test-rig';

describe('A caller talks with the agent', () => {
  test('agent_first: greeting, then a two-turn conversation with the full context sent to the model', async () => {
    const rig = await startAgentRig({
      config: { speakOrder: 'agent_first', prompt: 'You are Ada at {{clinic}}.', variables: { clinic: 'Acme Dental' } },
      llm: [
        'Hello, this is Ada from Acme Dental. How can I help?',
        'Sure. Which day suits you?',
        'Done. See you tomorrow at nine.',
      ],
      stt: ['I would like to book an appointment.', 'Tomorrow at nine, please.'],
    });
    const { d } = rig;
    try {
      await d.start();
      // The greeting was generated while "ringing": its first frames leave right at answer.
      assert.ok(d.audio.length > 0, 'greeting audio starts at once');
      assert.equal(d.audio[0]!.atMs, 0);
      await d.untilAgentQuiet();
      const greetingFrames = d.audio.length;
      assert.ok(greetingFrames > 50, `greeting is a real utterance (${greetingFrames} frames)`);

      const hello = asteriskPrompt('vm-options').slice(0, 150); // 3 s of a real human voice
      const callerStart = d.nowMs;
      await d.play(hello);
      await d.untilAgentQuiet();
      const booking = fliteSpeech('Tomorrow at nine, please.');
      await d.play(booking);
      await d.untilAgentQuiet();

      // STT got exactly the caller's utterances (plus a little pre-roll), as 8 kHz WAV.
      assert.equal(rig.stt.uploads.length, 2);
      assert.equal(rig.stt.uploads[0]!.sampleRateHz, 8000);
      assert.equal(rig.stt.uploads[0]!.model, 'fake-whisper');
      const heardMs = rig.stt.uploads[0]!.durationMs;
      assert.ok(heardMs >= 2700 && heardMs <= 3600, `first upload ${heardMs} ms for 3000 ms of speech`);

      // The model saw the filled prompt and the whole conversation, with the tools.
      assert.equal(rig.llm.requests.length, 3);
      const last = rig.llm.requests[2]!;
      assert.equal(last.model, 'fake-spark');
      assert.equal(last.authorization, 'Bearer sk-test');
      assert.deepEqual(
        last.messages.map((m) => `${m.role}:${m.content ?? ''}`),
        [
          'system:You are Ada at Acme Dental.',
          'assistant:Hello, this is Ada from Acme Dental. How can I help?',
          'user:I would like to book an appointment.',
          'assistant:Sure. Which day suits you?',
          'user:Tomorrow at nine, please.',
        ],
      );
      assert.deepEqual(last.tools.map((t) => t.function.name).sort(), [
        'end_call',
        'send_dtmf',
        'transfer_call',
        'wait_on_hold',
      ]);

      const tr = d.session.transcript();
      assert.deepEqual(
        tr.map((t) => `${t.role}:${String(t.content)}`),
        [
          'assistant:Hello, this is Ada from Acme Dental. How can I help?',
          'user:I would like to book an appointment.',
          'assistant:Sure. Which day suits you?',
          'user:Tomorrow at nine, please.',
          'assistant:Done. See you tomorrow at nine.',
        ],
      );
      for (const t of tr) assert.ok(t.end_ms >= t.start_ms);
      for (let i = 1; i < tr.length; i++) assert.ok(tr[i]!.start_ms >= tr[i - 1]!.end_ms, 'turns do not overlap');
      const user1 = tr[1]!;
      assert.ok(
        Math.abs(user1.start_ms - callerStart) <= 300,
        `user turn starts when the caller spoke (${user1.start_ms} vs ${callerStart})`,
      );
      // A finished sentence ends the turn after the short silence (turnMinSilenceMs), not the neutral 600 ms.
      assert.ok(tr[2]!.start_ms - user1.end_ms >= 300, 'the agent waits for the end-of-turn silence');

      assert.equal(d.metrics.length, 2);
      for (const m of d.metrics) {
        assert.equal(m.endpointingMs, 300);
        assert.ok(m.llmFirstTokenMs !== null && m.ttsFirstAudioMs !== null && m.totalMs !== null);
      }
      assert.equal(d.ended, undefined);
      assert.deepEqual(d.errors, []);
    } finally {
      await rig.close();
    }
  });

  test('caller_first: the agent stays silent until the caller speaks, then answers', async () => {
    const rig = await startAgentRig({ llm: ['Hi! How can I help you today?'], stt: ['Hello?'] });
    const { d } = rig;
    try {
      await d.start();
      await d.silence(3000);
      assert.equal(d.audio.length, 0, 'no greeting');
      assert.equal(rig.llm.requests.length, 0);
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet();
      assert.ok(d.audio.length > 20);
      assert.deepEqual(
        d.session.transcript().map((t) => t.role),
        ['user', 'assistant'],
      );
    } finally {
      await rig.close();
    }
  });

  test('caller_first with a nudge: a silent caller is prompted once, then the silence timeout ends the call', async () => {
    const rig = await startAgentRig({
      llm: ['Hello? Are you there?'],
      timings: { nudgeAfterMs: 2000, silenceTimeoutMs: 6000 },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.until(() => d.audio.length > 0, 5000);
      const nudgeAt = d.audio[0]!.atMs;
      assert.ok(nudgeAt >= 2000 && nudgeAt < 2200, `nudge after 2 s of silence (${nudgeAt})`);
      assert.match(String(rig.llm.requests[0]!.messages.at(-1)!.content), /silent/);
      await d.until(() => d.ended !== undefined, 10_000);
      assert.equal(d.ended!.reason, 'timeout');
      assert.equal(rig.llm.requests.length, 1, 'nudged only once');
      const agentEnd = d.audio.at(-1)!.atMs;
      assert.ok(
        d.ended!.atMs - agentEnd >= 6000 && d.ended!.atMs - agentEnd < 6200,
        'timeout counted from the last speech',
      );
    } finally {
      await rig.close();
    }
  });

  test('keypad digits reach the model as text', async () => {
    const rig = await startAgentRig({ llm: ['You pressed one two three.'], timings: { dtmfGapMs: 1000 } });
    const { d } = rig;
    try {
      await d.start();
      for (const digit of '123') {
        d.session.pushDtmf(digit);
        await d.silence(100);
      }
      await d.until(() => d.audio.length > 0, 3000);
      assert.match(String(rig.llm.requests[0]!.messages.at(-1)!.content), /keypad keys: 123/);
      assert.equal(d.session.transcript()[0]!.content, '[DTMF 123]');
    } finally {
      await rig.close();
    }
  });
});
