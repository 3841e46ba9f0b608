export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** URI parameters (`;transport=tcp;lr`), value null for flags. Names lowercased. */
  params: Map<string, string | null>;
  /** URI headers (`?subject=x`). */
  headers: Map<string, string>;
}

const UNRESERVED_USER = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

function unescape(s: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) throw new Error('bad % escape');
  return decodeURIComponent(s);
}

function escapeUser(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED_USER.test(ch) && ch !== ';' && ch !== '?') out += ch;
    else for (const b of Buffer.from(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Parses a sip:/sips: URI (RFC 3261 §19.1) with %-unescaping of the user part. Returns null when invalid. */
export function parseSipUri(text: string): SipUri | null {
  try {
    const m = /^(sips?):([^?]*)(?:\?(.*))?$/i.exec(text.trim());
    if (!m) return null;
    const scheme = (m[1] ?? '').toLowerCase() as 'sip' | 'sips';
    let rest = m[2] ?? '';
    let user: string | undefined;
    let password: string | undefined;
    const at = rest.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = rest.slice(0, at);
      rest = rest.slice(at + 1);
      const colon = userinfo.indexOf(':');
      user = unescape(colon >= 0 ? userinfo.slice(0, colon) : userinfo);
      if (colon >= 0) password = unescape(userinfo.slice(colon + 1));
      if (user.length === 0) return null;
    }
    const [hostport = '', ...paramParts] = rest.split(';');
    const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::(\d{1,5}))?$/.exec(hostport);
    if (!hp) return null;
    const port = hp[2] === undefined ? undefined : Number(hp[2]);
    if (port !== undefined && (port < 1 || port > 65535)) return null;
    const params = new Map<string, string | null>();
    for (const p of paramParts) {
      if (p === '') return null;
      const eq = p.indexOf('=');
      params.set(unescape(eq < 0 ? p : p.slice(0, eq)).toLowerCase(), eq < 0 ? null : unescape(p.slice(eq + 1)));
    }
    const headers = new Map<string, string>();
    if (m[3]) {
      for (const h of m[3].split('&')) {
        const eq = h.indexOf('=');
        if (eq <= 0) return null;
        headers.set(unescape(h.slice(0, eq)), unescape(h.slice(eq + 1)));
      }
    }
    const uri: SipUri = { scheme, host: (hp[1] ?? '').toLowerCase(), params, headers };
    if (user !== undefined) uri.user = user;
    if (password !== undefined) uri.password = password;
    if (port !== undefined) uri.port = port;
    return uri;
  } catch {
    return null;
  }
}

export function formatSipUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += escapeUser(uri.user);
    if (uri.password !== undefined) out += ':' + escapeUser(uri.password);
    out += '@';
  }
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  for (const [k, v] of uri.params) out += v === null ? `;${k}` : `;${k}=${v}`;
  if (uri.headers.size > 0)
    out += '?' + [...uri.headers].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return out;
}
