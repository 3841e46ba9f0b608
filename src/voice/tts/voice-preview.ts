import type { Config } from '../../config/config';
import { ttsProviderFor } from './tts-providers';
import { encodeWav } from '../../audio/wav';
import type { TtsProvider } from './tts';
import type { Voice } from './voice-catalog';

const CACHE_SIZE = 32;
const PREVIEW_RATE_HZ = 8000;
const MAX_PREVIEW_SAMPLES = PREVIEW_RATE_HZ * 15;

/**
 * A few seconds of a voice as 8 kHz mono WAV — what a caller hears — synthesized once per voice by
 * the same engine calls use, then cached (the last 32 voices). The seam the API's voice preview uses.
 */
export class VoicePreviewer {
  readonly #config: Pick<Config, 'tts'>;
  readonly #cache = new Map<string, Buffer>();
  readonly #engines = new Map<string, TtsProvider>();

  constructor(config: Pick<Config, 'tts'>) {
    this.#config = config;
  }

  async preview(voice: Voice): Promise<Buffer> {
    const cached = this.#cache.get(voice.id);
    if (cached) return cached;
    const chunks: Int16Array[] = [];
    let total = 0;
    const text = `Hello, thanks for calling. This is ${voice.name.replace(/[^\p{L}\p{N} ]/gu, ' ')}.`;
    for await (const chunk of this.#tts(voice.engine).synthesize(text, { voice: voice.engineVoice })) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= MAX_PREVIEW_SAMPLES) break;
    }
    const pcm = new Int16Array(Math.min(total, MAX_PREVIEW_SAMPLES));
    let at = 0;
    for (const c of chunks) {
      const part = c.subarray(0, pcm.length - at);
      pcm.set(part, at);
      at += part.length;
    }
    const wav = encodeWav(pcm, PREVIEW_RATE_HZ);
    this.#cache.set(voice.id, wav);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    return wav;
  }

  #tts(engine: Voice['engine']): TtsProvider {
    let tts = this.#engines.get(engine);
    if (!tts) this.#engines.set(engine, (tts = ttsProviderFor(this.#config, engine)));
    return tts;
  }
}
