import { createHmac } from 'node:crypto';

/**
 * The bytes ThunderPhone sends and signs (webhooks and tool calls): JSON with object keys sorted
 * recursively and no whitespace, non-ASCII escaped as `\uXXXX` — equal to Python's
 * `json.dumps(obj, sort_keys=True, separators=(",", ":"))`. Keys whose value is undefined are dropped.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** `X-ThunderPhone-Signature`: lowercase hex HMAC-SHA256 of the exact bytes, keyed with the secret string's UTF-8 bytes. */
export function signBody(secret: string, body: string | Buffer): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');
}
