import { FRAME_SAMPLES, TELEPHONY_RATE_HZ } from '../../audio/frame';
import type { VadFactory, VadProvider } from './vad';

/** The emscripten module of @echogarden/fvad-wasm (libfvad, the WebRTC VAD). */
interface FvadModule {
  _fvad_new(): number;
  _fvad_free(inst: number): void;
  _fvad_reset(inst: number): void;
  _fvad_set_mode(inst: number, mode: number): number;
  _fvad_set_sample_rate(inst: number, rate: number): number;
  _fvad_process(inst: number, ptr: number, samples: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

// The compiled WASM module is shared by all conversations (compiling it costs ~10 ms and memory);
// each conversation gets its own detector instance inside it.
let modulePromise: Promise<FvadModule> | undefined;

async function loadModule(): Promise<FvadModule> {
  modulePromise ??= import('@echogarden/fvad-wasm').then(
    async (m: { default: () => Promise<unknown> }) => (await m.default()) as FvadModule,
  );
  return modulePromise;
}

/** Aggressiveness 0 (most speech) … 3 (least); 2 suits telephony. */
export type FvadMode = 0 | 1 | 2 | 3;

/** WebRTC VAD at 8 kHz on 20 ms frames (160 samples). */
export class FvadVad implements VadProvider {
  readonly #m: FvadModule;
  #inst: number;
  readonly #buf: number;

  private constructor(
    m: FvadModule,
    mode: FvadMode,
    readonly minDbfs: number,
  ) {
    this.#m = m;
    this.#inst = m._fvad_new();
    if (this.#inst === 0) throw new Error('fvad_new failed');
    if (m._fvad_set_sample_rate(this.#inst, TELEPHONY_RATE_HZ) !== 0 || m._fvad_set_mode(this.#inst, mode) !== 0)
      throw new Error('fvad configuration failed');
    this.#buf = m._malloc(FRAME_SAMPLES * 2);
  }

  /** `minDbfs`: frames quieter than this are never speech (libfvad alone flags faint line hiss). */
  static async create(mode: FvadMode = 2, minDbfs = -55): Promise<FvadVad> {
    return new FvadVad(await loadModule(), mode, minDbfs);
  }

  isSpeech(frame: Int16Array): boolean {
    if (this.#inst === 0) return false;
    if (frame.length !== FRAME_SAMPLES)
      throw new Error(`fvad needs ${FRAME_SAMPLES}-sample frames, got ${frame.length}`);
    let sum = 0;
    for (let i = 0; i < FRAME_SAMPLES; i++) sum += frame[i]! * frame[i]!;
    if (sum === 0 || 10 * Math.log10(sum / FRAME_SAMPLES / (32768 * 32768)) < this.minDbfs) return false;
    this.#m.HEAP16.set(frame, this.#buf >> 1);
    return this.#m._fvad_process(this.#inst, this.#buf, FRAME_SAMPLES) === 1;
  }

  reset(): void {
    if (this.#inst !== 0) this.#m._fvad_reset(this.#inst);
  }

  close(): void {
    if (this.#inst === 0) return;
    this.#m._fvad_free(this.#inst);
    this.#m._free(this.#buf);
    this.#inst = 0;
  }
}

export const fvadFactory =
  (mode: FvadMode = 2): VadFactory =>
  async () =>
    FvadVad.create(mode);
