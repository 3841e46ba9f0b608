import { AppError } from '../../shared/errors';

/**
 * Hands out even RTP ports from [min, max] (port + 1 stays free for RTCP). Allocation walks
 * round-robin so a just-released port is not reused at once (late packets of the previous call
 * would land in the next one). release() is idempotent.
 */
export class RtpPortPool {
  readonly min: number;
  readonly max: number;
  readonly #inUse = new Set<number>();
  #next: number;

  constructor(min: number, max: number) {
    const first = min % 2 === 0 ? min : min + 1;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || first + 1 > max) {
      throw new RangeError(`RTP port range ${min}..${max} holds no even port pair`);
    }
    this.min = first;
    this.max = max;
    this.#next = first;
  }

  /** Number of RTP ports (even ports with their RTCP neighbour inside the range). */
  get capacity(): number {
    return Math.floor((this.max - 1 - this.min) / 2) + 1;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** Returns a free even port; throws AppError `rtp_ports_exhausted` when none is left. */
  acquire(): number {
    for (let i = 0; i < this.capacity; i++) {
      const port = this.#next;
      this.#next = port + 2 > this.max - 1 ? this.min : port + 2;
      if (!this.#inUse.has(port)) {
        this.#inUse.add(port);
        return port;
      }
    }
    throw new AppError('rtp_ports_exhausted', `no free RTP port in ${this.min}..${this.max}`, {
      retryable: true,
    });
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }

  isInUse(port: number): boolean {
    return this.#inUse.has(port);
  }
}
