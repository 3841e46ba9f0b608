import { Worker } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { FRAME_MS, FRAME_SAMPLES } from '../../audio/frame';
import type { ErrorCode } from '../../shared/error-catalogue';
import { AppError } from '../../shared/errors';
import { silentLogger, type Logger } from '../../shared/log';
import type { MediaTickerStats } from '../rtp/media-ticker';
import type { RtpPortPool } from '../rtp/port-pool';
import type { MediaEngine, MediaEngineStats, MediaSession, MediaSessionOptions } from './media-session';
import {
  FRAME_AUDIO,
  type MediaBatch,
  type MediaCommand,
  type MediaReport,
  type MediaWorkerData,
  type MediaWorkerGc,
} from './media-worker-protocol';
import { raiseHelperThreads } from './helper-thread-priority';
import { OUTBOX_SLOTS, takeBatchFrames } from './frame-outbox';
import { RemoteRtpSession } from './remote-rtp-session';

const WORKER_ENTRY = new URL('./media-worker.ts', import.meta.url);
const BIND_ATTEMPTS = 16;
const HIGH_NICE = -10;
const REALTIME_PRIORITY = 10;

export interface MediaWorkerPoolOptions {
  /** Worker threads (MEDIA_WORKERS; about one per core). */
  workers: number;
  /** RTP ports are handed out here on the main thread; workers bind them. */
  pool: RtpPortPool;
  log?: Logger;
  /**
   * Scheduling of the worker threads (MEDIA_WORKER_PRIORITY): `high` (default) = nice -10, ahead of
   * the main thread and other processes; `realtime` = SCHED_FIFO 10 (what media servers such as
   * Asterisk `-p` do: a loaded machine then barely delays a packet), falling back to `high`;
   * `normal` = as the process. Raising needs root or CAP_SYS_NICE, else it is skipped silently.
   */
  priority?: MediaWorkerPriority;
}

export type MediaWorkerPriority = 'realtime' | 'high' | 'normal';

interface Opening {
  resolve: () => void;
  reject: (err: AppError) => void;
}

/** One media worker thread as the main thread sees it. */
class WorkerHandle {
  readonly index: number;
  readonly worker: Worker;
  readonly sessions = new Map<number, RemoteRtpSession>();
  readonly opening = new Map<number, Opening>();
  /** The worker's FrameOutbox flags (shared). */
  readonly slotFlags: Int32Array;
  load: (MediaTickerStats & MediaWorkerGc) | undefined;
  /** The worker's event-loop utilization at the previous stats() reading (Worker.performance). */
  #elu: EventLoopUtilization | undefined;
  #outbox: MediaCommand[] = [];
  #flushQueued = false;
  exited = false;

  constructor(index: number, worker: Worker, slotFlags: Int32Array) {
    this.index = index;
    this.worker = worker;
    this.slotFlags = slotFlags;
  }

  /** Share of the worker's time spent busy since the previous call, 0..1. */
  utilization(): number {
    const now = this.worker.performance.eventLoopUtilization();
    const since = this.#elu ? this.worker.performance.eventLoopUtilization(now, this.#elu) : now;
    this.#elu = now;
    return Number.isFinite(since.utilization) ? since.utilization : 0;
  }

  /** Commands of one turn of the event loop leave in one message. */
  send(command: MediaCommand): void {
    if (this.exited) return;
    this.#outbox.push(command);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      const batch = this.#outbox;
      this.#outbox = [];
      this.worker.postMessage(batch);
    });
  }

  get count(): number {
    return this.sessions.size + this.opening.size;
  }
}

/**
 * RTP off the main thread: `workers` worker threads (media-worker.ts), each pacing all of its
 * sessions on one 20 ms clock. open() places a session on the least loaded worker and returns
 * its RemoteRtpSession; a stall of the main thread (a slow query, a big JSON parse) delays
 * only the audio handed to and from the agent, never a packet on the wire.
 */
export class MediaWorkerPool implements MediaEngine {
  readonly #pool: RtpPortPool;
  readonly #log: Logger;
  readonly #workers: WorkerHandle[];
  #nextId = 1;
  #closed = false;

  private constructor(o: MediaWorkerPoolOptions, workers: WorkerHandle[]) {
    this.#pool = o.pool;
    this.#log = o.log ?? silentLogger;
    this.#workers = workers;
  }

  /** Starts the worker threads and waits until each has loaded and is ready for sessions. */
  static async start(o: MediaWorkerPoolOptions): Promise<MediaWorkerPool> {
    const count = Math.max(1, Math.floor(o.workers));
    // Before the workers exist: only the helpers (GC, libuv) are raised here, the workers raise themselves.
    if ((o.priority ?? 'high') !== 'normal')
      raiseHelperThreads({
        nice: HIGH_NICE,
        ...(o.priority === 'realtime' ? { realtimePriority: REALTIME_PRIORITY - 1 } : {}),
      });
    const handles = await Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const priority = o.priority ?? 'high';
        const slotFlags = new Int32Array(new SharedArrayBuffer(4 * OUTBOX_SLOTS));
        const workerData: MediaWorkerData = {
          worker: index,
          slotFlags,
          phaseMs: (index * FRAME_MS) / count,
          ...(priority !== 'normal' ? { nice: HIGH_NICE } : {}),
          ...(priority === 'realtime' ? { realtimePriority: REALTIME_PRIORITY } : {}),
        };
        const worker = WORKER_ENTRY.pathname.endsWith('.ts')
          ? // Running from TypeScript sources (npm start uses tsx): the worker registers tsx first.
            new Worker(
              `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
                `.then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_ENTRY.href)}); });`,
              { eval: true, workerData },
            )
          : new Worker(WORKER_ENTRY, { workerData });
        await new Promise<void>((resolve, reject) => {
          worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error('media worker did not start'))));
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`media worker exited (code ${code})`)));
        });
        return new WorkerHandle(index, worker, slotFlags);
      }),
    );
    const pool = new MediaWorkerPool(o, handles);
    for (const h of handles) pool.#wire(h);
    return pool;
  }

  get workerCount(): number {
    return this.#workers.length;
  }

  async open(o: MediaSessionOptions): Promise<MediaSession> {
    if (this.#closed) throw new AppError('rtp_session_closed', 'the media workers are stopped');
    const h = this.#leastLoaded();
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const port = this.#pool.acquire();
      const id = this.#nextId++;
      try {
        await new Promise<void>((resolve, reject) => {
          h.opening.set(id, { resolve, reject });
          h.send({ op: 'open', id, port, bindAddress: o.bindAddress, mediaTimeoutMs: o.mediaTimeoutMs });
        });
      } catch (err) {
        this.#pool.release(port);
        // Another process holds the port: try the next one, like RtpSession.open.
        if (err instanceof AppError && err.code === 'rtp_ports_exhausted' && !h.exited) continue;
        throw err;
      }
      const session = new RemoteRtpSession(
        id,
        port,
        {
          send: (c) => h.send(c),
          release: (sid, p) => {
            h.sessions.delete(sid);
            this.#pool.release(p);
          },
        },
        this.#log,
      );
      h.sessions.set(id, session);
      return session;
    }
    throw new AppError('rtp_ports_exhausted', 'every RTP port tried is held by another process', { retryable: true });
  }

  /** Per worker: sessions and how late its 20 ms clock fires (the last 5 s; reported every second). */
  stats(): MediaEngineStats {
    return {
      mode: 'workers',
      sessions: this.#workers.reduce((a, h) => a + h.sessions.size, 0),
      workers: this.#workers.map((h) => ({
        worker: h.index,
        sessions: h.sessions.size,
        ticks: h.load?.ticks ?? 0,
        tickLagP50Ms: h.load?.tickLagP50Ms ?? 0,
        tickLagP99Ms: h.load?.tickLagP99Ms ?? 0,
        tickLagMaxMs: h.load?.tickLagMaxMs ?? 0,
        skippedSlots: h.load?.skippedSlots ?? 0,
        tickWorkP50Ms: h.load?.tickWorkP50Ms ?? 0,
        tickWorkP99Ms: h.load?.tickWorkP99Ms ?? 0,
        tickWorkMaxMs: h.load?.tickWorkMaxMs ?? 0,
        gcCount: h.load?.gcCount ?? 0,
        gcMajorCount: h.load?.gcMajorCount ?? 0,
        gcTotalMs: h.load?.gcTotalMs ?? 0,
        gcMaxMs: h.load?.gcMaxMs ?? 0,
        utilization: h.exited ? 0 : h.utilization(),
      })),
    };
  }

  /** Closes every session and stops the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.flatMap((h) => [...h.sessions.values()].map((s) => s.close())));
    await Promise.all(this.#workers.map((h) => h.worker.terminate()));
  }

  #leastLoaded(): WorkerHandle {
    const alive = this.#workers.filter((h) => !h.exited);
    if (alive.length === 0) throw new AppError('rtp_bind_failed', 'no media worker is running');
    return alive.reduce((best, h) => (h.count < best.count ? h : best));
  }

  #wire(h: WorkerHandle): void {
    h.worker.on('message', (batch: MediaBatch) => this.#onBatch(h, batch));
    h.worker.on('error', (err) => this.#log.error({ err, worker: h.index }, 'media worker failed'));
    h.worker.on('exit', (code) => {
      h.exited = true;
      if (!this.#closed) this.#log.error({ worker: h.index, code }, 'media worker exited');
      for (const o of h.opening.values()) o.reject(new AppError('rtp_bind_failed', 'the media worker exited'));
      h.opening.clear();
      for (const s of [...h.sessions.values()]) s.abandon();
    });
  }

  #onBatch(h: WorkerHandle, batch: MediaBatch): void {
    if (batch.load) h.load = batch.load;
    for (const r of batch.reports) this.#onReport(h, r);
    const { index, samples } = takeBatchFrames(batch.frames, h.slotFlags);
    for (let k = 0; k < index.length / 2; k++) {
      const s = h.sessions.get(index[2 * k]!);
      if (!s) continue;
      const frame = samples.subarray(k * FRAME_SAMPLES, (k + 1) * FRAME_SAMPLES);
      if (index[2 * k + 1] === FRAME_AUDIO) s.frameAudio(frame);
      else s.frameSent(frame);
    }
  }

  #onReport(h: WorkerHandle, r: MediaReport): void {
    if (r.op === 'opened' || r.op === 'openFailed') {
      const o = h.opening.get(r.id);
      h.opening.delete(r.id);
      if (r.op === 'opened') o?.resolve();
      else o?.reject(new AppError(r.code as ErrorCode, r.message));
      return;
    }
    h.sessions.get(r.id)?.report(r);
  }
}
