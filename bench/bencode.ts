/**
 * Bencode (the encoding of rtpengine's ng control protocol): integers `i42e`, byte strings
 * `4:spam`, lists `l…e`, dictionaries `d…e` with sorted keys. Strings decode as UTF-8.
 */
export type Bencoded = number | string | Bencoded[] | { [key: string]: Bencoded };

export function bencode(value: Bencoded): Buffer {
  const parts: Buffer[] = [];
  const put = (v: Bencoded): void => {
    if (typeof v === 'number') {
      parts.push(Buffer.from(`i${Math.trunc(v)}e`));
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      parts.push(Buffer.from(`${bytes.length}:`), bytes);
    } else if (Array.isArray(v)) {
      parts.push(Buffer.from('l'));
      v.forEach(put);
      parts.push(Buffer.from('e'));
    } else {
      parts.push(Buffer.from('d'));
      for (const key of Object.keys(v).sort()) {
        put(key);
        put(v[key]!);
      }
      parts.push(Buffer.from('e'));
    }
  };
  put(value);
  return Buffer.concat(parts);
}

/** Decodes one value starting at `offset`; throws on malformed input. */
export function bdecode(buf: Buffer, offset = 0): { value: Bencoded; end: number } {
  const c = buf[offset];
  if (c === 0x69 /* i */) {
    const end = buf.indexOf(0x65, offset);
    if (end < 0) throw new SyntaxError('unterminated integer');
    return { value: Number(buf.toString('latin1', offset + 1, end)), end: end + 1 };
  }
  if (c === 0x6c /* l */ || c === 0x64 /* d */) {
    const items: Bencoded[] = [];
    let at = offset + 1;
    while (buf[at] !== 0x65) {
      if (at >= buf.length) throw new SyntaxError('unterminated list or dictionary');
      const item = bdecode(buf, at);
      items.push(item.value);
      at = item.end;
    }
    if (c === 0x6c) return { value: items, end: at + 1 };
    const dict: { [key: string]: Bencoded } = {};
    for (let k = 0; k + 1 < items.length; k += 2) dict[String(items[k])] = items[k + 1]!;
    return { value: dict, end: at + 1 };
  }
  const colon = buf.indexOf(0x3a, offset);
  const len = Number(buf.toString('latin1', offset, colon));
  if (colon < 0 || !Number.isInteger(len)) throw new SyntaxError(`bad bencode at ${offset}`);
  return { value: buf.toString('utf8', colon + 1, colon + 1 + len), end: colon + 1 + len };
}
