import { eventLoopUtilizationReader } from '../shared/clock';
import type { WorkerLoad, WorkerLoadSource } from '../shared/ops-metrics';

/**
 * Worker load while RTP runs on the main thread: one `main` entry with the live calls and the
 * main event loop's utilization since the previous reading. Media worker threads report their
 * own entries through the same WorkerLoadSource interface.
 */
export class MainThreadLoad implements WorkerLoadSource {
  readonly #sessions: () => number;
  readonly #utilization = eventLoopUtilizationReader();

  constructor(sessions: () => number) {
    this.#sessions = sessions;
  }

  workerLoad(): WorkerLoad[] {
    return [{ worker: 'main', sessions: this.#sessions(), utilization: this.#utilization() }];
  }
}
