import { Worker } from 'node:worker_threads';
import { systemTimers, type TimerHandle, type Timers } from '../../shared/timers';

/** Main thread → worker: one sentence. */
export interface EmbeddedTtsRequest {
  id: number;
  text: string;
  voice: string;
}

/** Worker → main thread: the WAV bytes (transferred) or why not. */
export type EmbeddedTtsReply = { id: number; ok: true; wav: Uint8Array } | { id: number; ok: false; error: string };

export interface EmbeddedTtsWorkerOptions {
  /** flite.wasm (flite-wasm.ts fliteWasmPath()). */
  wasmPath: string;
  /** A sentence taking longer than this kills the worker (a new one starts for the next). */
  timeoutMs?: number;
  timers?: Timers;
}

interface Job {
  request: EmbeddedTtsRequest;
  settle: (result: { wav?: Uint8Array; error?: Error }) => void;
  aborted: boolean;
}

const WORKER_ENTRY = new URL('./embedded-tts-worker.ts', import.meta.url);

/**
 * One worker thread that runs the embedded engine, so a sentence's 25-80 ms of synchronous
 * WebAssembly never blocks the event loop that paces RTP. Started on the first sentence (not at
 * boot), requests are served one at a time in arrival order; an aborted request is dropped from
 * the queue (or its answer ignored when already running). A crashed or stuck worker fails its
 * sentence and is replaced on the next one. The worker does not keep the process alive when idle.
 */
export class EmbeddedTtsWorker {
  readonly #o: EmbeddedTtsWorkerOptions;
  readonly #timers: Timers;
  #worker: Worker | undefined;
  #queue: Job[] = [];
  #running: { job: Job; timer: TimerHandle } | undefined;
  #nextId = 1;
  #started = 0;

  constructor(options: EmbeddedTtsWorkerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
  }

  /** How many worker threads were started so far (lazy start, restarts after a crash). */
  get workersStarted(): number {
    return this.#started;
  }

  /** The WAV of `text` spoken by `voice`; undefined when `signal` aborted first. */
  synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const job: Job = {
        request: { id: this.#nextId++, text, voice },
        aborted: false,
        settle: (r) => {
          signal?.removeEventListener('abort', onAbort);
          job.settle = () => undefined;
          if (r.error) reject(r.error);
          else resolve(r.wav);
        },
      };
      const onAbort = (): void => {
        job.aborted = true;
        this.#queue = this.#queue.filter((j) => j !== job);
        job.settle({});
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Stops the worker; queued and running sentences fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    for (const job of this.#queue.splice(0)) job.settle({ error: new Error('embedded TTS closed') });
    this.#finishRunning({ error: new Error('embedded TTS closed') });
    if (worker) await worker.terminate();
  }

  #pump(): void {
    if (this.#running) return;
    const job = this.#queue.shift();
    if (!job) {
      this.#worker?.unref();
      return;
    }
    const worker = this.#ensureWorker();
    worker.ref();
    const timer = this.#timers.set(this.#o.timeoutMs ?? 10_000, () => {
      this.#finishRunning({ error: new Error(`embedded TTS took longer than ${this.#o.timeoutMs ?? 10_000} ms`) });
      this.#replaceWorker(worker);
    });
    this.#running = { job, timer };
    worker.postMessage(job.request);
  }

  #finishRunning(result: { wav?: Uint8Array; error?: Error }): void {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    this.#timers.clear(running.timer);
    if (!running.job.aborted) running.job.settle(result);
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const workerData = { wasmPath: this.#o.wasmPath };
    const worker = WORKER_ENTRY.pathname.endsWith('.ts')
      ? // Running from TypeScript sources (npm start uses tsx): the worker registers tsx first.
        new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
            `.then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_ENTRY.href)}); });`,
          { eval: true, workerData },
        )
      : new Worker(WORKER_ENTRY, { workerData });
    this.#started += 1;
    let failure: Error | undefined;
    worker.on('message', (reply: EmbeddedTtsReply) => {
      if (this.#running?.job.request.id !== reply.id) return;
      this.#finishRunning(reply.ok ? { wav: reply.wav } : { error: new Error(reply.error) });
      this.#pump();
    });
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#finishRunning({ error: failure ?? new Error(`embedded TTS worker exited (code ${code})`) });
      this.#pump();
    });
    this.#worker = worker;
    return worker;
  }

  #replaceWorker(worker: Worker): void {
    if (this.#worker === worker) this.#worker = undefined;
    void worker.terminate();
    this.#pump();
  }
}
