import type { TtsProvider } from '../tts/tts';

/**
 * Instant TTS for tests and benchmarks: a 440 Hz tone of `msPerWord` per word, delivered in one
 * chunk at once. Stands in for nothing paid; it just makes TTS latency zero.
 */
export class ToneTts implements TtsProvider {
  readonly name = 'tone';
  readonly spoken: string[] = [];

  constructor(readonly msPerWord = 200) {}

  async *synthesize(
    text: string,
    options: { voice: string; signal?: AbortSignal | undefined },
  ): AsyncIterable<Int16Array> {
    if (options.signal?.aborted) return;
    this.spoken.push(text);
    const words = Math.max(1, text.split(/\s+/).filter(Boolean).length);
    const n = Math.round((words * this.msPerWord * 8000) / 1000);
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    yield out;
  }
}
