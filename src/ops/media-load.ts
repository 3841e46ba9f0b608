import type { WorkerLoad, WorkerLoadSource } from '../shared/ops-metrics';
import { MainThreadLoad } from './main-thread-load';

/** What the call runtime's mediaStats() reports (telephony/media MediaStatsReading, structurally). */
export interface MediaStatsReading {
  mode: string;
  sessions: number;
  workers: { worker: number; sessions: number; utilization?: number | undefined }[];
}

/**
 * GET /metrics worker load from the call runtime's media engine: one `media-<n>` entry per RTP
 * worker thread (its sessions and event-loop utilization), or the `main` entry while RTP runs on
 * the main event loop (MEDIA_WORKERS=0).
 */
export class MediaLoad implements WorkerLoadSource {
  readonly #stats: () => MediaStatsReading;
  readonly #main: MainThreadLoad;

  constructor(stats: () => MediaStatsReading) {
    this.#stats = stats;
    this.#main = new MainThreadLoad(() => this.#stats().sessions);
  }

  workerLoad(): WorkerLoad[] {
    const stats = this.#stats();
    if (stats.mode !== 'workers') return this.#main.workerLoad();
    return stats.workers.map((w) => ({
      worker: `media-${w.worker}`,
      sessions: w.sessions,
      utilization: w.utilization ?? 0,
    }));
  }
}
