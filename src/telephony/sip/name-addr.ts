/** A From/To/Contact/Route/Refer-To value: optional display name, URI, header parameters. */
export interface NameAddr {
  displayName?: string;
  uri: string;
  params: Map<string, string | null>;
}

export function parseParams(text: string): Map<string, string | null> | null {
  const params = new Map<string, string | null>();
  if (text.trim() === '') return params;
  if (!text.trimStart().startsWith(';')) return null;
  for (const raw of splitOutsideQuotes(text.trim().slice(1), ';')) {
    const p = raw.trim();
    if (p === '') return null;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (!/^[A-Za-z0-9\-.!%*_+`'~]+$/.test(name)) return null;
    let value: string | null = eq < 0 ? null : p.slice(eq + 1).trim();
    if (value !== null && value.startsWith('"')) value = unquote(value);
    params.set(name, value);
  }
  return params;
}

export function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (inQuote && ch === '\\') {
      cur += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inQuote = !inQuote;
    if (!inQuote && ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function unquote(value: string): string {
  const v = value.trim();
  if (!v.startsWith('"') || !v.endsWith('"') || v.length < 2) return v;
  return v.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function quote(value: string): string {
  return '"' + value.replace(/(["\\])/g, '\\$1') + '"';
}

/** Parses `"Name" <sip:a@b>;tag=x`, `<sip:a@b>;tag=x` or `sip:a@b;tag=x` (params then belong to the header). */
export function parseNameAddr(text: string): NameAddr | null {
  const t = text.trim();
  const lt = findAngle(t);
  if (lt >= 0) {
    const gt = t.indexOf('>', lt);
    if (gt < 0) return null;
    const display = t.slice(0, lt).trim();
    const params = parseParams(t.slice(gt + 1));
    const uri = t.slice(lt + 1, gt).trim();
    if (!params || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) return null;
    if (display.startsWith('"') && (!display.endsWith('"') || display.length < 2)) return null;
    const out: NameAddr = { uri, params };
    if (display) out.displayName = unquote(display);
    return out;
  }
  const semi = t.indexOf(';');
  const uri = (semi < 0 ? t : t.slice(0, semi)).trimEnd();
  const params = parseParams(semi < 0 ? '' : t.slice(semi));
  if (!params || !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) return null;
  return { uri, params };
}

const DISPLAY_TOKENS = /^[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*$/;

/**
 * Strict RFC 3261 §20.10 / §25.1 check of a From/To value: a display name is a quoted string or
 * tokens (RFC 4475 §3.1.2.15: `Bell, Alexander <sip:…>` is not), the URI in `<>` has no spaces
 * around it (§3.1.2.14), quotes are balanced (§3.1.2.6), parameters are well formed.
 */
export function isValidNameAddr(text: string): boolean {
  const na = parseNameAddr(text);
  if (!na) return false;
  const t = text.trim();
  const lt = findAngle(t);
  if (lt < 0) return true;
  const inner = t.slice(lt + 1, t.indexOf('>', lt));
  if (inner !== inner.trim() || /\s/.test(inner)) return false;
  const display = t.slice(0, lt).trim();
  if (display === '') return true;
  if (display.startsWith('"')) return /^"(?:[^"\\]|\\[\s\S])*"$/.test(display);
  return DISPLAY_TOKENS.test(display);
}

function findAngle(t: string): number {
  let inQuote = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (inQuote && ch === '\\') i++;
    else if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && ch === '<') return i;
  }
  return -1;
}

export function formatNameAddr(na: NameAddr): string {
  let out = na.displayName ? `${quote(na.displayName)} <${na.uri}>` : `<${na.uri}>`;
  for (const [k, v] of na.params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** The `tag` parameter of a From/To header value; undefined when absent or empty. */
export function tagOf(headerValue: string | undefined): string | undefined {
  return parseNameAddr(headerValue ?? '')?.params.get('tag') || undefined;
}
