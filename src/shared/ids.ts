import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * The only place that makes randomness for identifiers and secrets. Injected so tests
 * can make ids predictable where they need to.
 */
export interface IdGenerator {
  uuid(): string;
  /** `prefix` + `byteLength` random bytes as lowercase hex. */
  token(prefix: string, byteLength: number): string;
  /** A float in [0, 1), for jitter. */
  random(): number;
}

export const cryptoIds: IdGenerator = {
  uuid: () => randomUUID(),
  token: (prefix, byteLength) => prefix + randomBytes(byteLength).toString('hex'),
  random: () => randomBytes(4).readUInt32BE(0) / 0x1_0000_0000,
};

/** Deterministic generator for tests: counters instead of randomness. */
export class SequentialIds implements IdGenerator {
  #n = 0;

  uuid(): string {
    this.#n += 1;
    return `00000000-0000-4000-8000-${this.#n.toString(16).padStart(12, '0')}`;
  }

  token(prefix: string, byteLength: number): string {
    this.#n += 1;
    return (
      prefix +
      createHash('sha256')
        .update(String(this.#n))
        .digest('hex')
        .slice(0, byteLength * 2)
    );
  }

  random(): number {
    return 0.5;
  }
}
