import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { replyByLastUserMessage } from './testing/fake-openai-llm-server';
import { startFakeOpenAiTtsServer, type FakeTtsOptions, type FakeTtsServer } from './testing/fake-openai-tts-server';
import { asteriskPrompt, fliteSpeech } from './testing/speech-fixtures';
import { startAgentRig, type RigOptions } from './testing/agent-test-rig';
import { OpenAiTts } from './tts/openai-tts';

/** flite speech without its leading and trailing quiet (so a test's pause is the pause it plays). */
const spoken = (text: string): Int16Array[] => {
  const frames = fliteSpeech(text);
  const loud = (f: Int16Array): boolean => Math.sqrt(f.reduce((e, v) => e + v * v, 0) / f.length) > 300;
  return frames.slice(frames.findIndex(loud), frames.findLastIndex(loud) + 1);
};
const turnsOf = (tr: { role: string; content: unknown }[], role: string): string[] =>
  tr.filter((t) => t.role === role).map((t) => String(t.content));

/** An agent on the hosted TTS stand-in; `at` notes the simulated ms of each TTS request and of the caller's turn. */
async function rigWithHostedTts(o: Omit<RigOptions, 'tts'>, tts: Omit<FakeTtsOptions, 'onRequest'> = {}) {
  const at = { requests: new Map<string, number>(), userTurnMs: undefined as number | undefined };
  let now = (): number => 0;
  const server: FakeTtsServer = await startFakeOpenAiTtsServer({
    ...tts,
    onRequest: (r) => at.requests.set(r.input, now()),
  });
  const rig = await startAgentRig({ ...o, tts: new OpenAiTts({ baseUrl: server.baseUrl, model: 'fake-tts' }) });
  now = () => rig.d.nowMs;
  rig.d.session.on('userTurn', () => (at.userTurnMs ??= rig.d.nowMs));
  /** Agent frames by the TTS request whose audio they are (its sample level). */
  const framesOf = (input: string): number => {
    const level = server.requests.find((r) => r.input === input)?.level;
    return rig.d.audio.filter((a) => Math.abs(a.pcm[0]!) === level).length;
  };
  return {
    rig,
    server,
    at,
    framesOf,
    close: async () => {
      await rig.close();
      await server.close();
    },
  };
}

describe('Early TTS of a prepared reply', () => {
  test("the adopted reply's first clause is synthesized before the turn ends and played without a second request", async () => {
    const h = await rigWithHostedTts({
      llm: ['Of course, which day works for you?'],
      deepgram: { script: ['I need an appointment.'] },
    });
    const { d } = h.rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet();
      const tr = d.session.transcript();
      assert.deepEqual(turnsOf(tr, 'user'), ['I need an appointment.']);
      assert.deepEqual(turnsOf(tr, 'assistant'), ['Of course, which day works for you?']);
      assert.equal(h.rig.llm.requests.length, 1, 'the prepared reply was adopted');
      assert.deepEqual(
        h.server.requests.map((r) => r.input),
        ['Of course,', 'which day works for you?'],
        'one TTS request per sentence: the first clause was not synthesized again',
      );
      const clauseAt = h.at.requests.get('Of course,')!;
      assert.ok(
        clauseAt < h.at.userTurnMs!,
        `first clause requested at ${clauseAt} ms, before the turn ended at ${h.at.userTurnMs} ms`,
      );
      // 2 words × 200 ms and 5 words × 200 ms of stand-in audio, in 20 ms frames, all played, in order.
      assert.equal(h.framesOf('Of course,'), 20, "the early clause's audio was played");
      assert.equal(h.framesOf('which day works for you?'), 50);
      const firstRest = d.audio.findIndex((a) => Math.abs(a.pcm[0]!) === h.server.requests[1]!.level);
      const lastClause = d.audio.findLastIndex((a) => Math.abs(a.pcm[0]!) === h.server.requests[0]!.level);
      assert.ok(lastClause < firstRest, 'the first clause plays before the rest of the reply');
      assert.equal(d.metrics.length, 1);
      assert.deepEqual(d.errors, []);
    } finally {
      await h.close();
    }
  });

  test('the caller goes on: the early audio is never heard and its TTS request is aborted', async () => {
    const h = await rigWithHostedTts(
      {
        llm: replyByLastUserMessage({ 'table for two': 'A table for two, certainly.' }, 'Prepared too early, sorry.'),
        deepgram: { script: ["I'd like to book", 'a table for two.'] },
      },
      // The discarded clause's answer is still streaming when the caller goes on.
      { holdRest: (input) => input === 'Prepared too early,' },
    );
    const { d } = h.rig;
    try {
      await d.start();
      await d.play(spoken("I'd like to book"));
      await d.silence(400);
      const early = h.server.requests.find((r) => r.input === 'Prepared too early,');
      assert.ok(early, 'the first clause of the reply prepared in the pause was being synthesized');
      assert.equal(d.audio.length, 0, 'and not played');
      await d.play(spoken('a table for two.'));
      await d.untilAgentQuiet();
      await d.until(() => early.aborted, 2000);
      const tr = d.session.transcript();
      assert.deepEqual(turnsOf(tr, 'user'), ["I'd like to book a table for two."]);
      assert.deepEqual(turnsOf(tr, 'assistant'), ['A table for two, certainly.']);
      assert.equal(h.framesOf('Prepared too early,'), 0, 'no frame of the early audio was sent out');
      assert.ok(early.aborted && !early.completed, 'the early TTS request was aborted');
      assert.ok(
        !h.server.requests.some((r) => r.input.includes('sorry')),
        'nothing more of the discarded reply was synthesized',
      );
      assert.ok(h.framesOf('A table for two,') > 0 && h.framesOf('certainly.') > 0, 'the real answer was heard');
      assert.equal(h.server.requests.filter((r) => r.input === 'A table for two,').length, 1);
      assert.deepEqual(d.errors, []);
    } finally {
      await h.close();
    }
  });

  test('TURN_PREPARE_AUDIO off (prepareReplyAudio: false): the clause is synthesized only once the turn ended', async () => {
    const h = await rigWithHostedTts({
      llm: ['Of course, which day works for you?'],
      deepgram: { script: ['I need an appointment.'] },
      timings: { prepareReplyAudio: false },
    });
    const { d } = h.rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet();
      assert.equal(h.rig.llm.requests.length, 1, 'the prepared reply was adopted');
      assert.deepEqual(
        h.server.requests.map((r) => r.input),
        ['Of course,', 'which day works for you?'],
      );
      assert.ok(h.at.requests.get('Of course,')! >= h.at.userTurnMs!);
      assert.equal(h.framesOf('Of course,'), 20);
    } finally {
      await h.close();
    }
  });
});
