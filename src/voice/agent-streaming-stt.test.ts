import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { replyByLastUserMessage } from './testing/fake-openai-llm-server';
import { asteriskPrompt, fliteSpeech, silenceFrames } from './testing/speech-fixtures';
import { startAgentRig } from './testing/agent-test-rig';

/** flite speech without its leading and trailing quiet (so a test's pause is the pause it plays). */
const spoken = (text: string): Int16Array[] => {
  const frames = fliteSpeech(text);
  const loud = (f: Int16Array): boolean => Math.sqrt(f.reduce((e, v) => e + v * v, 0) / f.length) > 300;
  const first = frames.findIndex(loud);
  const last = frames.findLastIndex(loud);
  return frames.slice(first, last + 1);
};

const userTurns = (tr: { role: string; content: unknown }[]): string[] =>
  tr.filter((t) => t.role === 'user').map((t) => String(t.content));
const assistantTurns = (tr: { role: string; content: unknown }[]): string[] =>
  tr.filter((t) => t.role === 'assistant').map((t) => String(t.content));

describe('Streaming speech to text in a conversation', () => {
  test('Deepgram: the words stream while the caller talks; the reply prepared in the pause is the one spoken', async () => {
    const rig = await startAgentRig({
      llm: ['Of course. Which day?'],
      deepgram: { script: ['I need an appointment.'] },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet();
      const tr = d.session.transcript();
      assert.deepEqual(userTurns(tr), ['I need an appointment.']);
      assert.deepEqual(assistantTurns(tr), ['Of course. Which day?']);
      assert.equal(rig.stt.uploads.length, 0, 'no upload: the stream heard it');
      const conn = rig.deepgram!.connections[0]!;
      assert.ok(
        conn.sent.some((m) => m.is_final === false),
        'interim results came while the caller talked',
      );
      assert.ok(conn.controls.includes('{"type":"Finalize"}'), 'the pause asked for the final words');
      assert.equal(rig.llm.requests.length, 1, 'one LLM request: the prepared one was used');
      assert.equal(rig.llm.requests[0]!.messages.at(-1)?.content, 'I need an appointment.');
      const m = d.metrics[0]!;
      assert.equal(m.sttMs, 0, 'the words were known before the end of the turn');
      assert.equal(m.endpointingMs, 300, 'a finished sentence: the short wait');
      const answer = tr.find((t) => t.role === 'assistant' && t.content === 'Of course. Which day?');
      assert.equal(m.agentStartMs, answer?.start_ms, "the figures name the answer's transcript turn");
      assert.deepEqual(d.errors, []);
    } finally {
      await rig.close();
    }
  });

  test('a 400 ms pause mid-sentence is not answered; the reply prepared for it is discarded and never heard', async () => {
    const rig = await startAgentRig({
      llm: replyByLastUserMessage({ 'table for two': 'A table for two, certainly.' }, 'PREPARED TOO EARLY.'),
      deepgram: { script: ["I'd like to book", 'a table for two.'] },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(spoken("I'd like to book"));
      const pauseAt = d.nowMs;
      await d.silence(400);
      const framesInPause = d.framesSince(pauseAt);
      await d.play(spoken('a table for two.'));
      await d.untilAgentQuiet();
      assert.equal(framesInPause, 0, 'the agent stayed silent during the pause');
      const tr = d.session.transcript();
      assert.deepEqual(userTurns(tr), ["I'd like to book a table for two."]);
      assert.deepEqual(assistantTurns(tr), ['A table for two, certainly.']);
      assert.ok(
        rig.llm.requests.some((r) => r.messages.at(-1)?.content === "I'd like to book"),
        'a reply was prepared during the pause',
      );
      assert.equal(d.metrics.length, 1, 'one answered turn');
    } finally {
      await rig.close();
    }
  });

  test('unfinished words ("and") wait the long silence; a finished sentence the short one', async () => {
    const rig = await startAgentRig({
      llm: ['Noted.'],
      deepgram: { script: ['I need a table and', 'a high chair.'] },
      timings: { turnMaxSilenceMs: 1200 },
    });
    const { d } = rig;
    try {
      await d.start();
      await d.play(spoken('I need a table and'));
      const pauseAt = d.nowMs;
      await d.silence(900);
      assert.equal(d.framesSince(pauseAt), 0, 'no answer after 900 ms following "and"');
      await d.play(spoken('a high chair.'));
      await d.untilAgentQuiet();
      assert.deepEqual(userTurns(d.session.transcript()), ['I need a table and a high chair.']);
    } finally {
      await rig.close();
    }
  });

  test('OpenAI Realtime transcription: committed at the pause, completed words answered', async () => {
    const rig = await startAgentRig({ llm: ['Sure.'], realtime: { script: ['Can I speak to someone?'] } });
    const { d } = rig;
    try {
      await d.start();
      await d.play(asteriskPrompt('hello-world'));
      await d.untilAgentQuiet();
      const tr = d.session.transcript();
      assert.deepEqual(userTurns(tr), ['Can I speak to someone?']);
      assert.deepEqual(assistantTurns(tr), ['Sure.']);
      assert.equal(rig.stt.uploads.length, 0);
      assert.equal(rig.realtime!.connections[0]!.commits, 1);
    } finally {
      await rig.close();
    }
  });

  test('a WebSocket dropped mid-utterance: the stream reconnects, resends, and the words are not lost', async () => {
    const rig = await startAgentRig({
      llm: ['Of course.'],
      deepgram: { script: ['I need an appointment.'], dropAfterChunks: 20 },
    });
    const { d } = rig;
    try {
      await d.start();
      const speech = asteriskPrompt('hello-world');
      await d.play(speech, { settle: false });
      await d.untilAgentQuiet();
      assert.deepEqual(userTurns(d.session.transcript()), ['I need an appointment.']);
      assert.ok(rig.deepgram!.connections.length >= 2, 'reconnected');
      assert.ok(
        rig.deepgram!.connections[1]!.voicedMs >= rig.deepgram!.connections[0]!.voicedMs,
        'the new connection got the utterance from its start',
      );
      assert.ok(
        d.errors.some((e) => e.source === 'stt'),
        'the drop is reported',
      );
      assert.equal(d.ended, undefined, 'the call goes on');
    } finally {
      await rig.close();
    }
  });

  test('the streaming STT is unreachable: the upload takes over', async () => {
    const rig = await startAgentRig({
      llm: ['Hello there.'],
      stt: ['Hi, is anyone there?'],
      deepgram: { script: [''] },
    });
    const { d } = rig;
    try {
      await rig.deepgram!.close();
      await d.start();
      await d.play(asteriskPrompt('hello-world'), { settle: false });
      await d.until(() => d.metrics.length > 0, 10_000);
      assert.deepEqual(userTurns(d.session.transcript()), ['Hi, is anyone there?']);
      assert.ok(rig.stt.uploads.length >= 1);
    } finally {
      await rig.close();
    }
  });

  test('a hang-up mid-sentence keeps the words in the transcript', async () => {
    const rig = await startAgentRig({ llm: ['Never said.'], deepgram: { script: ['My order number is'] } });
    const { d } = rig;
    try {
      await d.start();
      await d.play(spoken('My order number is'));
      await d.play(silenceFrames(60));
      await d.session.stop();
      assert.deepEqual(userTurns(d.session.transcript()), ['My order number is']);
      assert.deepEqual(assistantTurns(d.session.transcript()), []);
    } finally {
      await rig.close();
    }
  });
});
