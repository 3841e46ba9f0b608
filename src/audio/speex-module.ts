/**
 * The SpeexDSP resampler compiled to WASM (@echogarden/speex-resampler-wasm), loaded once per
 * process when this module is first imported (top-level await, ~30 KB of WASM), so resamplers can
 * be created synchronously. The SIMD build is used where the runtime supports WASM SIMD (Node 20
 * on x64/arm64 does), the plain build otherwise.
 */

/** The part of the emscripten module we use (names from speex_resampler.h). */
export interface SpeexModule {
  _speex_resampler_init(channels: number, inRateHz: number, outRateHz: number, quality: number, errPtr: number): number;
  _speex_resampler_process_int(
    state: number,
    channel: number,
    inPtr: number,
    inLenPtr: number,
    outPtr: number,
    outLenPtr: number,
  ): number;
  _speex_resampler_skip_zeros(state: number): number;
  _speex_resampler_reset_mem(state: number): number;
  _speex_resampler_get_input_latency(state: number): number;
  _speex_resampler_destroy(state: number): void;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  /** Views of the WASM memory; replaced when the memory grows, so read them after every call. */
  HEAP16: Int16Array;
  HEAPU32: Uint32Array;
}

async function loadSpeex(): Promise<{ module: SpeexModule; build: 'simd' | 'plain' }> {
  try {
    const simd = await import('@echogarden/speex-resampler-wasm/simd');
    return { module: (await simd.default()) as SpeexModule, build: 'simd' };
  } catch {
    const plain = await import('@echogarden/speex-resampler-wasm');
    return { module: (await plain.default()) as SpeexModule, build: 'plain' };
  }
}

const loaded = await loadSpeex();
export const speex: SpeexModule = loaded.module;
/** Which WASM build runs here (bench output). */
export const SPEEX_BUILD = loaded.build;
