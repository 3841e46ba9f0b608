declare module '@echogarden/fvad-wasm' {
  /** Instantiates the emscripten module (compiles the bundled fvad.wasm). */
  const init: (moduleArg?: Record<string, unknown>) => Promise<unknown>;
  export default init;
}
