import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The only place that makes randomness (ESLint rule 6 keeps it so): identifiers and jitter through
 * the injectable IdGenerator, key material through secureRandomBytes.
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

/** Cryptographic random bytes for keys and IVs: never predictable, so never injected. */
export const secureRandomBytes = (byteLength: number): Buffer => randomBytes(byteLength);
