import type { Clock } from '../shared/clock';

/**
 * Calls-per-second limit per VoIP connection (TRUNK_CALLS_PER_SECOND). Sans-IO: `reserve` books
 * the next free start slot for the trunk and says how long the caller must wait before dialing.
 */
export class TrunkRateLimiter {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #nextFreeMs = new Map<string, number>();

  constructor(callsPerSecond: number, clock: Clock) {
    this.#intervalMs = 1000 / Math.max(1, callsPerSecond);
    this.#clock = clock;
  }

  /** Milliseconds to wait before this call may be sent to `trunkKey` (0 = now). */
  reserve(trunkKey: string): number {
    const now = this.#clock.monotonicMs();
    const slot = Math.max(now, this.#nextFreeMs.get(trunkKey) ?? now);
    this.#nextFreeMs.set(trunkKey, slot + this.#intervalMs);
    return Math.ceil(slot - now);
  }
}
