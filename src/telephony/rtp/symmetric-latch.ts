export interface RtpAddress {
  address: string;
  port: number;
}

/**
 * Symmetric RTP (RFC 4961 style, sans-IO): we send to the address in the SDP until the peer's
 * packets show where it really sends from; the first packet's source wins, and later a new
 * source takes over only after `relatchPackets` consecutive packets (a stray packet cannot
 * steal the stream).
 */
export class SymmetricLatch {
  readonly #relatchPackets: number;
  #dest: RtpAddress | undefined;
  #latched = false;
  #candidate: { key: string; count: number } | undefined;

  constructor(relatchPackets = 5) {
    this.#relatchPackets = relatchPackets;
  }

  /** Where to send now. */
  get dest(): RtpAddress | undefined {
    return this.#dest;
  }

  /** A new address from SDP (undefined: nowhere, e.g. c=0.0.0.0); forgets the latch. */
  reset(dest: RtpAddress | undefined): void {
    this.#dest = dest;
    this.#latched = false;
    this.#candidate = undefined;
  }

  /** Feeds the source of a valid packet; returns the new destination when it changed. */
  observe(source: RtpAddress): RtpAddress | undefined {
    const dest = this.#dest;
    if (dest && dest.address === source.address && dest.port === source.port) {
      this.#candidate = undefined;
      this.#latched = true;
      return undefined;
    }
    const key = `${source.address}:${source.port}`;
    const count = this.#candidate?.key === key ? this.#candidate.count + 1 : 1;
    this.#candidate = { key, count };
    if (this.#latched && count < this.#relatchPackets) return undefined;
    this.#dest = { address: source.address, port: source.port };
    this.#latched = true;
    this.#candidate = undefined;
    return this.#dest;
  }
}
