import { parentPort, workerData } from 'node:worker_threads';
import { compileFlite, synthesizeFliteWav } from './flite-wasm';
import type { EmbeddedTtsReply, EmbeddedTtsRequest } from './embedded-tts-worker-client';

/**
 * Worker thread of the embedded engine: compiles flite's WebAssembly once, then speaks one
 * request at a time and transfers the WAV bytes back (embedded-tts-worker-client.ts).
 */
const port = parentPort;
if (!port) throw new Error('embedded-tts-worker.ts runs as a worker thread');
const module = compileFlite((workerData as { wasmPath: string }).wasmPath);
port.on('message', (req: EmbeddedTtsRequest) => {
  let reply: EmbeddedTtsReply;
  try {
    const wav = synthesizeFliteWav(module, req.text, req.voice);
    reply = { id: req.id, ok: true, wav };
    port.postMessage(reply, [wav.buffer as ArrayBuffer]);
  } catch (err) {
    reply = { id: req.id, ok: false, error: (err as Error).message };
    port.postMessage(reply);
  }
});
