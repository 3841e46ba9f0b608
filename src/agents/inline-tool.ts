/** Inline function tool (thunderphone-api.md §7.3). `endpoint` is never sent to the model. */
export interface InlineTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
  endpoint: { url: string; method: HttpMethod; headers: Record<string, string> };
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_TOOLS = 64;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
  add: (f: string, m: string) => void,
): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) add(`${at}.${key}`, 'Unknown field.');
}

/**
 * Validates a `tools` array. Messages go to `add(field, message)` with dotted paths like
 * `tools.0.function.name`; returns the normalized tools (method default POST, headers default {}).
 */
export function parseInlineTools(input: unknown, field: string, add: (f: string, m: string) => void): InlineTool[] {
  if (!Array.isArray(input)) {
    add(field, 'Expected a list of tools.');
    return [];
  }
  if (input.length > MAX_TOOLS) add(field, `At most ${MAX_TOOLS} tools.`);
  const tools: InlineTool[] = [];
  const names = new Set<string>();
  input.forEach((raw, i) => {
    const at = `${field}.${i}`;
    if (!isObject(raw)) return add(at, 'Expected a tool object.');
    unknownKeys(raw, ['type', 'function', 'endpoint'], at, add);
    if (raw.type !== 'function') add(`${at}.type`, 'Must be "function".');
    const fn = raw.function;
    const ep = raw.endpoint;
    let ok = raw.type === 'function';
    if (!isObject(fn)) {
      add(`${at}.function`, 'This field is required.');
      ok = false;
    } else {
      unknownKeys(fn, ['name', 'description', 'parameters'], `${at}.function`, add);
      if (typeof fn.name !== 'string' || !TOOL_NAME.test(fn.name)) {
        add(`${at}.function.name`, 'Must be 1-64 characters of letters, digits, "_" or "-".');
        ok = false;
      } else if (names.has(fn.name)) {
        add(`${at}.function.name`, `Duplicate tool name "${fn.name}".`);
        ok = false;
      }
      if (typeof fn.description !== 'string' || fn.description.trim() === '') {
        add(`${at}.function.description`, 'This field is required.');
        ok = false;
      }
      if (!isObject(fn.parameters) || (fn.parameters.type !== undefined && fn.parameters.type !== 'object')) {
        add(`${at}.function.parameters`, 'Must be a JSON Schema object ({"type": "object", ...}).');
        ok = false;
      } else if (fn.parameters.properties !== undefined && !isObject(fn.parameters.properties)) {
        add(`${at}.function.parameters`, '"properties" must be an object.');
        ok = false;
      } else if (
        fn.parameters.required !== undefined &&
        !(Array.isArray(fn.parameters.required) && fn.parameters.required.every((r) => typeof r === 'string'))
      ) {
        add(`${at}.function.parameters`, '"required" must be a list of strings.');
        ok = false;
      }
    }
    let method: HttpMethod = 'POST';
    let headers: Record<string, string> = {};
    if (!isObject(ep)) {
      add(`${at}.endpoint`, 'This field is required.');
      ok = false;
    } else {
      unknownKeys(ep, ['url', 'method', 'headers'], `${at}.endpoint`, add);
      if (!isHttpUrl(ep.url)) {
        add(`${at}.endpoint.url`, 'Enter a valid http(s) URL.');
        ok = false;
      }
      if (ep.method !== undefined) {
        const m = typeof ep.method === 'string' ? ep.method.toUpperCase() : '';
        if ((METHODS as readonly string[]).includes(m)) method = m as HttpMethod;
        else {
          add(`${at}.endpoint.method`, `Must be one of ${METHODS.join(', ')}.`);
          ok = false;
        }
      }
      if (ep.headers !== undefined) {
        if (!isObject(ep.headers) || !Object.values(ep.headers).every((v) => typeof v === 'string')) {
          add(`${at}.endpoint.headers`, 'Must be an object of string values.');
          ok = false;
        } else headers = ep.headers as Record<string, string>;
      }
    }
    if (ok && isObject(fn) && isObject(ep)) {
      names.add(fn.name as string);
      tools.push({
        type: 'function',
        function: {
          name: fn.name as string,
          description: fn.description as string,
          parameters: fn.parameters as Record<string, unknown>,
        },
        endpoint: { url: ep.url as string, method, headers },
      });
    }
  });
  return tools;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
