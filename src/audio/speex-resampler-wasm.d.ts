declare module '@echogarden/speex-resampler-wasm' {
  /** Instantiates the emscripten module (compiles the bundled non-SIMD speex-resampler.wasm). */
  const init: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default init;
}

declare module '@echogarden/speex-resampler-wasm/simd' {
  /** Instantiates the emscripten module (compiles the bundled WASM SIMD speex-resampler.wasm). */
  const init: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default init;
}
