/** Nesting limit of request JSON (and of the JSON values the server walks recursively later). */
export const MAX_JSON_DEPTH = 64;

export interface JsonProblem {
  /** Dotted path of the value (`tools.0.name`; only the top-level key for nesting); '' for the value itself. */
  path: string;
  message: string;
}

export const NUL_MESSAGE = 'Null characters (\\u0000) are not allowed.';
export const tooDeepMessage = (maxDepth: number): string => `Nested deeper than ${maxDepth} levels.`;

/**
 * What a parsed JSON value (or query/params object) may not contain: NUL characters in strings
 * or keys (PostgreSQL text cannot hold them; SQLite would store them silently), and objects or
 * arrays nested deeper than `maxDepth` (recursive code — schema checks, JSON.stringify, the
 * LLM's tool schemas — would overflow the stack). The walk itself never goes deeper than
 * `maxDepth`, so it is safe on any input. At most `maxProblems` problems are reported.
 */
export function jsonProblems(value: unknown, maxDepth = MAX_JSON_DEPTH, maxProblems = 20): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const visit = (v: unknown, path: string, depth: number): void => {
    if (problems.length >= maxProblems) return;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) problems.push({ path, message: NUL_MESSAGE });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (depth >= maxDepth) {
      // Reported on the top-level field: the full path of a value this deep is no help to anyone.
      problems.push({ path: path.split('.')[0] ?? '', message: tooDeepMessage(maxDepth) });
      return;
    }
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [String(i), item])
      : Object.entries(v as Record<string, unknown>);
    for (const [key, item] of entries) {
      const at = path === '' ? key : `${path}.${key}`;
      if (key.includes('\u0000')) {
        problems.push({ path: at.split('\u0000').join('\\u0000'), message: NUL_MESSAGE });
        continue;
      }
      visit(item, at, depth + 1);
    }
  };
  visit(value, '', 0);
  return problems;
}
