import { parseParams } from './name-addr';

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Map<string, string | null>;
}

export const BRANCH_MAGIC = 'z9hG4bK';

export function parseVia(text: string): Via | null {
  const m =
    /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$/i.exec(
      text.trim(),
    );
  if (!m) return null;
  const params = parseParams(m[4] ?? '');
  if (!params) return null;
  const via: Via = { transport: (m[1] ?? '').toUpperCase(), host: (m[2] ?? '').toLowerCase(), params };
  if (m[3] !== undefined) via.port = Number(m[3]);
  return via;
}

export function formatVia(via: Via): string {
  let out = `SIP/2.0/${via.transport} ${via.host}${via.port === undefined ? '' : ':' + via.port}`;
  for (const [k, v] of via.params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}
