/**
 * Deterministic mutations of SIP messages for fuzz tests: a seeded PRNG (mulberry32) and the
 * kinds of damage scanners and broken peers produce: byte flips, truncation, duplicated header
 * lines, huge values, bad numbers, NULs, lost line breaks, junk.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const BAD_NUMBERS = [
  '-1',
  '0',
  '65536',
  '99999',
  '4294967296',
  '99999999999999999999',
  '1e9',
  'NaN',
  '0x10',
  '',
  ' 7 7',
];
const NUMERIC_HEADERS = /^(Content-Length|l|CSeq|Max-Forwards|Expires)\s*:/i;

type Mutation = (msg: Buffer, rnd: SeededRandom) => Buffer;

const lines = (msg: Buffer): string[] => msg.toString('latin1').split('\r\n');
const join = (ls: string[]): Buffer => Buffer.from(ls.join('\r\n'), 'latin1');

const MUTATIONS: Mutation[] = [
  // byte flips
  (msg, rnd) => {
    const b = Buffer.from(msg);
    for (let i = 1 + rnd.int(8); i > 0; i--) b[rnd.int(b.length)] = rnd.int(256);
    return b;
  },
  // truncation
  (msg, rnd) => msg.subarray(0, rnd.int(msg.length)),
  // a header line repeated (up to 200 times)
  (msg, rnd) => {
    const ls = lines(msg);
    const at = 1 + rnd.int(Math.max(1, ls.indexOf('') - 1));
    const copies = Array.from({ length: 1 + rnd.int(200) }, () => ls[at] ?? '');
    ls.splice(at, 0, ...copies);
    return join(ls);
  },
  // a huge value (up to 60 KB)
  (msg, rnd) => {
    const ls = lines(msg);
    const at = rnd.int(Math.max(1, ls.indexOf('')));
    const line = ls[at] ?? '';
    const colon = line.indexOf(':');
    const filler = rnd.pick(['a', ';', ',', '"', '<', '%', ' ', '\\']).repeat(1 + rnd.int(60_000));
    ls[at] = colon > 0 ? `${line.slice(0, colon + 1)} ${filler}` : `${line} ${filler}`;
    return join(ls);
  },
  // bad numbers in numeric fields and the Via port
  (msg, rnd) => {
    const bad = rnd.pick(BAD_NUMBERS);
    return join(
      lines(msg).map((l) => {
        if (NUMERIC_HEADERS.test(l)) return l.replace(/:\s*\d+/, `: ${bad}`);
        if (/^(Via|v)\s*:/i.test(l)) return l.replace(/:(\d+)(;|$)/, `:${bad}$2`);
        return l;
      }),
    );
  },
  // NUL bytes
  (msg, rnd) => {
    const b = Buffer.from(msg);
    for (let i = 1 + rnd.int(4); i > 0; i--) b[rnd.int(b.length)] = 0;
    return b;
  },
  // line breaks lost or doubled
  (msg, rnd) => {
    const s = msg.toString('latin1');
    return Buffer.from(rnd.int(2) ? s.replace('\r\n', '') : s.replace('\r\n', '\r\n\r\n'), 'latin1');
  },
  // a removed header line
  (msg, rnd) => {
    const ls = lines(msg);
    ls.splice(1 + rnd.int(Math.max(1, ls.indexOf('') - 1)), 1);
    return join(ls);
  },
  // junk
  (_msg, rnd) => Buffer.from(Array.from({ length: rnd.int(2000) }, () => rnd.int(256))),
];

/** `msg` with one to three mutations. */
export function mutate(msg: Buffer, rnd: SeededRandom): Buffer {
  let out = msg;
  for (let i = 1 + rnd.int(3); i > 0; i--) out = rnd.pick(MUTATIONS)(out, rnd);
  return out;
}
