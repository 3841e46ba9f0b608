/**
 * The console's only HTTP client. Same-origin requests with the session cookie (never a key in
 * storage or URLs), the CSRF header on every request, and one error type with the API's stable
 * `code` and its field messages. A 401 tells the session (session.tsx) why it ended.
 */

export const CONSOLE_HEADER = 'x-thunderphone-console';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  /** DRF-style field messages: `{ "max_hold_seconds": ["..."] }` (dotted paths for nested fields). */
  readonly fields: Record<string, string[]> | undefined;

  constructor(status: number, message: string, code?: string, fields?: Record<string, string[]>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

type UnauthorizedListener = (code: string | undefined) => void;
let onUnauthorized: UnauthorizedListener = () => undefined;

/** The session provider registers here; every 401 from the API reaches it. */
export function setUnauthorizedListener(listener: UnauthorizedListener): void {
  onUnauthorized = listener;
}

function isFieldErrors(body: unknown): body is Record<string, string[]> {
  return (
    body !== null &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    Object.values(body).length > 0 &&
    Object.values(body).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'))
  );
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { quiet401?: boolean; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', [CONSOLE_HEADER]: '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The server cannot be reached. Check that ThunderPhone is running.', 'network_error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (res.ok) return parsed as T;
  const detail = (parsed as { detail?: unknown } | undefined)?.detail;
  const code = (parsed as { code?: unknown } | undefined)?.code;
  const err = isFieldErrors(parsed)
    ? new ApiError(res.status, 'Please fix the highlighted fields.', 'validation_error', parsed)
    : new ApiError(
        res.status,
        typeof detail === 'string' ? detail : `Request failed (HTTP ${res.status}).`,
        typeof code === 'string' ? code : undefined,
      );
  if (res.status === 401 && !options.quiet401) onUnauthorized(err.code);
  throw err;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal ? { signal } : {});
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api<void>('DELETE', path);

/** `?a=1&b=x` from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
