import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ToneTts } from '../testing/fake-tts';
import type { TtsProvider } from '../tts/tts';
import { PreparedClause } from './prepared-clause';
import { SentenceAggregator } from './sentence-aggregator';
import { runPipeline } from './testing/run-pipeline';
import { TtsProcessor } from './tts-processor';

describe('A prepared reply’s first clause, synthesized ahead of time', () => {
  test('cut where the aggregator cuts it, synthesized once, and played by the TtsProcessor from the buffer', async () => {
    const tts = new ToneTts(100);
    const clause = new PreparedClause(tts, 'v');
    for (const d of ['Su', 're, I can', ' do that. Which day?']) clause.pushText(d);
    await clause.firstAudio;
    assert.equal(clause.text, 'Sure,');
    assert.deepEqual(tts.spoken, ['Sure,'], 'synthesized before any round asked for it');
    const clauses = new Map([[1, clause]]);
    const run = runPipeline([
      new SentenceAggregator(),
      new TtsProcessor(
        tts,
        () => 'v',
        (s, signal) => (s.index === 0 ? clauses.get(s.responseId)?.take(s.text, signal) : undefined),
      ),
    ]);
    await run.send(
      ...['Su', 're, I can', ' do that. Which day?'].map((text) => ({ type: 'text' as const, responseId: 1, text })),
      { type: 'flush', responseId: 1 },
    );
    assert.deepEqual(tts.spoken, ['Sure,', 'I can do that.', 'Which day?'], 'no second synthesis of "Sure,"');
    assert.deepEqual(run.types(), [
      'sentence',
      'audio*5',
      'sentence_end',
      'sentence',
      'audio*20',
      'sentence_end',
      'sentence',
      'audio*10',
      'sentence_end',
      'flush',
    ]);
  });

  test('a short reply: its whole text is the clause, once the text ended', async () => {
    const tts = new ToneTts(100);
    const clause = new PreparedClause(tts, 'v');
    clause.pushText('Of course.');
    assert.equal(clause.text, undefined);
    clause.endText();
    await clause.firstAudio;
    assert.deepEqual(tts.spoken, ['Of course.']);
  });

  test('discarded: the synthesis in flight is aborted and nothing is handed out', async () => {
    let signal: AbortSignal | undefined;
    const slow: TtsProvider = {
      name: 'slow',
      async *synthesize(_text, o) {
        signal = o.signal;
        yield new Int16Array(320);
        await new Promise((r) => o.signal?.addEventListener('abort', r));
      },
    };
    const clause = new PreparedClause(slow, 'v');
    clause.pushText('Hello there, how are you?');
    await clause.firstAudio;
    clause.discard();
    assert.equal(signal?.aborted, true);
    assert.equal(clause.take('Hello there,', new AbortController().signal), undefined);
  });

  test('other words as the first sentence: not used, and its synthesis aborted', async () => {
    const tts = new ToneTts(100);
    const clause = new PreparedClause(tts, 'v');
    clause.pushText('Sure, I can.');
    await clause.firstAudio;
    assert.equal(clause.take('Certainly,', new AbortController().signal), undefined);
  });
});
