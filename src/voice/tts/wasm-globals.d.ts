/**
 * The part of the WebAssembly JS API the embedded TTS engine uses. Node has it as a global, but
 * its types live in TypeScript's DOM library, which this project does not load.
 */
declare namespace WebAssembly {
  type ImportValue = ((...args: never[]) => unknown) | Memory;
  type Imports = Record<string, Record<string, ImportValue>>;
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
}
