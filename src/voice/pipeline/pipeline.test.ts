import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ToneTts } from '../testing/fake-tts';
import type { TtsProvider } from '../tts/tts';
import { SentenceAggregator } from './sentence-aggregator';
import { runPipeline } from './testing/run-pipeline';
import { TtsProcessor } from './tts-processor';

describe('Output pipeline (text → sentences → speech)', () => {
  test('speech starts at the first complete sentence, before the text is finished', async () => {
    const run = runPipeline([new SentenceAggregator(), new TtsProcessor(new ToneTts(100), () => 'v')]);
    await run.send({ type: 'text', responseId: 1, text: 'Hello there. How a' });
    assert.deepEqual(run.types(), ['sentence', 'audio*10', 'sentence_end']);
    await run.send({ type: 'text', responseId: 1, text: 're you' }, { type: 'flush', responseId: 1 });
    assert.deepEqual(run.types(), [
      'sentence',
      'audio*10',
      'sentence_end',
      'sentence',
      'audio*15',
      'sentence_end',
      'flush',
    ]);
    assert.deepEqual(
      run.downstream.filter((f) => f.type === 'sentence').map((f) => f.type === 'sentence' && f.text),
      ['Hello there.', 'How are you'],
    );
  });

  test('an interruption jumps the queue, drops queued text and cancels the synthesis in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: TtsProvider = {
      name: 'slow',
      async *synthesize(_text, { signal }) {
        yield new Int16Array(320);
        await gate;
        if (!signal?.aborted) yield new Int16Array(320);
      },
    };
    const run = runPipeline([new SentenceAggregator(), new TtsProcessor(slow, () => 'v')]);
    run.pipeline.push({ type: 'text', responseId: 1, text: 'One. Two. Three. ' });
    await new Promise((r) => setImmediate(r));
    run.pipeline.interrupt();
    release();
    await run.pipeline.idle();
    // Only what was synthesized before the interrupt came out; no sentence_end, no later sentences.
    assert.deepEqual(run.types(), ['sentence', 'audio*2', 'interrupt']);
  });

  test('errors travel upstream to the owner and the pipeline keeps going', async () => {
    let calls = 0;
    const flaky: TtsProvider = {
      name: 'flaky',
      synthesize(text, o) {
        calls += 1;
        if (calls === 1) throw new Error('engine crashed');
        return new ToneTts(20).synthesize(text, o);
      },
    };
    const run = runPipeline([new SentenceAggregator(), new TtsProcessor(flaky, () => 'v')]);
    await run.send({ type: 'text', responseId: 1, text: 'First. Second.' }, { type: 'flush', responseId: 1 });
    assert.deepEqual(
      run.upstream.map((f) => f.type === 'error' && `${f.source}:${f.error.message}`),
      ['tts:engine crashed'],
    );
    // The failed sentence still gets its (empty) end marker, so the turn bookkeeping stays whole.
    assert.deepEqual(run.types(), ['sentence', 'sentence_end', 'sentence', 'audio*1', 'sentence_end', 'flush']);
  });

  test('long text without punctuation is cut at a clause boundary', async () => {
    const run = runPipeline([new SentenceAggregator()]);
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    await run.send({ type: 'text', responseId: 1, text: `${words.slice(0, 120)}, ${words.slice(120)} ` });
    const first = run.downstream[0];
    assert.equal(first?.type, 'sentence');
    assert.ok(first.type === 'sentence' && first.text.length <= 220 && first.text.endsWith(','), JSON.stringify(first));
  });
});
