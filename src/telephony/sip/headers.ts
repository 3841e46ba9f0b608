/** Compact header forms (RFC 3261 §7.3.3 and extensions) → canonical long names. */
const COMPACT: Record<string, string> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
  r: 'Refer-To',
  b: 'Referred-By',
  o: 'Event',
  u: 'Allow-Events',
  x: 'Session-Expires',
};

const CANONICAL: Record<string, string> = Object.fromEntries(
  [
    'Call-ID',
    'CSeq',
    'WWW-Authenticate',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Authorization',
    'Max-Forwards',
    'Record-Route',
    'Content-Length',
    'Content-Type',
    'User-Agent',
    'Refer-To',
    'Allow-Events',
    'Subscription-State',
    'Referred-By',
    'Session-Expires',
    'Content-Encoding',
    'Accept',
    'Allow',
    'Supported',
    'Require',
    'Unsupported',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Headers whose value is a comma-separated list (RFC 3261 §7.3.1); others are never split. */
const LIST_HEADERS = new Set([
  'via',
  'route',
  'record-route',
  'contact',
  'allow',
  'supported',
  'require',
  'unsupported',
  'accept',
  'allow-events',
  'proxy-require',
  'content-encoding',
]);

export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  const long = COMPACT[lower];
  if (long) return long;
  const known = CANONICAL[lower];
  if (known) return known;
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** Splits on commas that are outside quotes and <...>. */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let depthAngle = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === '<') depthAngle++;
    else if (ch === '>') depthAngle = Math.max(0, depthAngle - 1);
    else if (ch === ',' && depthAngle === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

/** Ordered, case-insensitive header collection. Names are stored in canonical long form. */
export class SipHeaders {
  readonly #entries: Array<{ name: string; value: string }> = [];

  static from(entries: Array<[string, string]>): SipHeaders {
    const h = new SipHeaders();
    for (const [n, v] of entries) h.append(n, v);
    return h;
  }

  append(name: string, value: string): this {
    this.#entries.push({ name: canonicalHeaderName(name), value });
    return this;
  }

  /** Adds before the existing ones (used for Via on forwarding, Route insertion). */
  prepend(name: string, value: string): this {
    this.#entries.unshift({ name: canonicalHeaderName(name), value });
    return this;
  }

  set(name: string, value: string): this {
    const canon = canonicalHeaderName(name);
    const idx = this.#entries.findIndex((e) => e.name === canon);
    this.remove(canon);
    if (idx < 0) this.#entries.push({ name: canon, value });
    else this.#entries.splice(Math.min(idx, this.#entries.length), 0, { name: canon, value });
    return this;
  }

  remove(name: string): this {
    const canon = canonicalHeaderName(name);
    for (let i = this.#entries.length - 1; i >= 0; i--)
      if (this.#entries[i]?.name === canon) this.#entries.splice(i, 1);
    return this;
  }

  has(name: string): boolean {
    const canon = canonicalHeaderName(name);
    return this.#entries.some((e) => e.name === canon);
  }

  /** First value (first list element for list headers). */
  get(name: string): string | undefined {
    return this.getAll(name)[0];
  }

  /** Every value, in order, with list headers split on their commas. */
  getAll(name: string): string[] {
    const canon = canonicalHeaderName(name);
    const split = LIST_HEADERS.has(canon.toLowerCase());
    const out: string[] = [];
    for (const e of this.#entries) {
      if (e.name !== canon) continue;
      if (split) out.push(...splitHeaderList(e.value));
      else out.push(e.value.trim());
    }
    return out;
  }

  entries(): Array<[string, string]> {
    return this.#entries.map((e) => [e.name, e.value]);
  }

  clone(): SipHeaders {
    return SipHeaders.from(this.entries());
  }
}
