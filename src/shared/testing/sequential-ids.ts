import { createHash } from 'node:crypto';
import type { IdGenerator } from '../ids';

/** Deterministic ids for tests: uuid/token from a counter, `random()` always 0.5. */
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
