import type { Logger } from '../../shared/log';
import type { RtpPortPool } from '../rtp/port-pool';
import { RtpSession } from '../rtp/rtp-session';
import type { MediaEngine, MediaEngineStats, MediaSession, MediaSessionOptions } from './media-session';

/** RTP sessions on the main event loop, each with its own timer chain (MEDIA_WORKERS=0, tests). */
export class InProcessMediaEngine implements MediaEngine {
  readonly #pool: RtpPortPool;
  readonly #log: Logger | undefined;
  readonly #open = new Set<RtpSession>();

  constructor(pool: RtpPortPool, log?: Logger) {
    this.#pool = pool;
    this.#log = log;
  }

  async open(o: MediaSessionOptions): Promise<MediaSession> {
    const session = await RtpSession.open({
      pool: this.#pool,
      bindAddress: o.bindAddress,
      ...(o.mediaTimeoutMs ? { mediaTimeoutMs: o.mediaTimeoutMs } : {}),
      ...(this.#log ? { log: this.#log } : {}),
    });
    this.#open.add(session);
    return session;
  }

  stats(): MediaEngineStats {
    for (const s of this.#open) if (s.closed) this.#open.delete(s);
    return { mode: 'in-process', sessions: this.#open.size, workers: [] };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open].map((s) => s.close()));
  }
}
