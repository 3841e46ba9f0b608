interface ValidationItem {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/**
 * Ajv reports a failed union (`Nullable(x)`, `Union([Integer, String])`) as every branch's error
 * plus "must match a schema in anyOf". Keeps one clear message per such field instead: the
 * failing branch's own rule (`must be <= 9007199254740991`) when there is one, else the types
 * the field accepts (`must be null or integer or string`). Other items pass through unchanged.
 */
export function collapseUnionErrors<T extends ValidationItem>(items: readonly T[]): T[] {
  const unionPaths = new Set(items.filter((i) => i.keyword === 'anyOf').map((i) => i.instancePath ?? ''));
  if (unionPaths.size === 0) return [...items];
  const out: T[] = [];
  for (const path of unionPaths) {
    const at = items.filter((i) => (i.instancePath ?? '') === path);
    const rules = at.filter((i) => i.keyword !== 'type' && i.keyword !== 'anyOf');
    if (rules.length > 0) {
      const seen = new Set<string>();
      for (const r of rules) if (!seen.has(r.message ?? '') && seen.add(r.message ?? '')) out.push(r);
      continue;
    }
    const types = [...new Set(at.flatMap((i) => (i.keyword === 'type' ? [String(i.params?.type)] : [])))];
    const first = at[0];
    if (first) out.push({ ...first, keyword: 'type', message: `must be ${types.join(' or ')}` });
  }
  return [...items.filter((i) => !unionPaths.has(i.instancePath ?? '')), ...out];
}
