/**
 * JSON text columns read leniently (storage convention: JSON is text). A NULL, broken JSON or a
 * value of another shape reads as the empty object / array, so one bad row never breaks a read.
 */
export function jsonObjectColumn(raw: string | null): Record<string, unknown> {
  const v = parseOrUndefined(raw);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function jsonArrayColumn(raw: string | null): unknown[] {
  const v = parseOrUndefined(raw);
  return Array.isArray(v) ? v : [];
}

function parseOrUndefined(raw: string | null): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
