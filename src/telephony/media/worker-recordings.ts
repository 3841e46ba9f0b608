import type { Logger } from '../../shared/log';
import { SessionRecorder, type RecordableSession } from '../recording/session-recorder';
import type { MediaReport } from './media-worker-protocol';

/**
 * The recordings of a media worker's sessions, one per session at most, written by the worker
 * itself: the main thread only names the file and hears back its duration and size.
 */
export class WorkerRecordings {
  readonly #active = new Map<number, SessionRecorder>();
  readonly #log: Logger | undefined;

  constructor(log?: Logger) {
    this.#log = log;
  }

  /** Starts recording session `id` into `path`; a failure to open the file comes back as a report. */
  start(id: number, session: RecordableSession, path: string): MediaReport | undefined {
    if (this.#active.has(id)) return undefined;
    try {
      this.#active.set(id, new SessionRecorder(session, { path, ...(this.#log ? { log: this.#log } : {}) }));
      return undefined;
    } catch (err) {
      return { op: 'recorded', id, error: (err as Error).message };
    }
  }

  /** Finishes session `id`'s recording, if any: the report to send once the file is complete. */
  async stop(id: number): Promise<MediaReport | undefined> {
    const recorder = this.#active.get(id);
    if (!recorder) return undefined;
    this.#active.delete(id);
    try {
      return { op: 'recorded', id, result: await recorder.close() };
    } catch (err) {
      return { op: 'recorded', id, error: (err as Error).message };
    }
  }
}
