import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Row } from '../../store/tables';
import { AppError } from '../../shared/errors';
import { adminFingerprint, closeConsoleSession, findConsoleSession } from '../../orgs/console-sessions';
import type { ApiDeps } from '../deps';

/** The console's session cookie: an opaque token, httpOnly, SameSite=Strict, Path=/. */
export const CONSOLE_COOKIE = 'tp_console';
/**
 * State-changing requests authenticated by the cookie must carry this header. A cross-site page
 * cannot send a custom header without a CORS preflight (which this server never grants), so
 * together with SameSite=Strict it closes CSRF.
 */
export const CONSOLE_CSRF_HEADER = 'x-thunderphone-console';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Value of one cookie of the request (RFC 6265 `name=value; ...`), undefined when absent. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(deps: ApiDeps, request: FastifyRequest, token: string | null): string {
  const secure = request.protocol === 'https' || deps.config.http.publicBaseUrl.startsWith('https:');
  const value = token === null ? '' : encodeURIComponent(token);
  return [
    `${CONSOLE_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    ...(token === null ? ['Max-Age=0'] : []),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function requireConsoleHeader(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.headers[CONSOLE_CSRF_HEADER] !== '1')
    throw new AppError(
      'csrf_header_missing',
      `Requests signed in with the console cookie must send the ${CONSOLE_CSRF_HEADER}: 1 header.`,
    );
}

const sessionExpired = () => new AppError('session_expired', 'Your console session has ended; sign in again.');

/**
 * For tenant routes without a Bearer key: the API key the console cookie acts as. A session whose
 * key was revoked ends here and now (`session_key_revoked`), so a revoked key signs the console out
 * at its next request.
 */
export async function apiKeyFromConsoleSession(deps: ApiDeps, request: FastifyRequest): Promise<Row<'api_keys'>> {
  const token = readCookie(request, CONSOLE_COOKIE);
  if (token === undefined || token === '')
    throw new AppError('not_authenticated', 'Authentication credentials were not provided.');
  const session = await findConsoleSession(deps.store.db, deps.clock, token);
  if (!session || session.kind !== 'org' || session.api_key_id === null) throw sessionExpired();
  const key = await deps.store.db
    .selectFrom('api_keys')
    .selectAll()
    .where('id', '=', session.api_key_id)
    .executeTakeFirst();
  // The session row stays until it expires or the user signs out, so every request of the tab
  // (several may be in flight) gives the same answer.
  if (!key || key.revoked_at !== null) {
    throw new AppError(
      'session_key_revoked',
      'The API key this console session used was revoked; sign in with another key.',
    );
  }
  requireConsoleHeader(request);
  return key;
}

/** For /admin/v1 without a Bearer token: an operator session opened with the current admin token. */
export async function operatorFromConsoleSession(deps: ApiDeps, request: FastifyRequest): Promise<boolean> {
  const token = readCookie(request, CONSOLE_COOKIE);
  const adminToken = deps.config.adminToken;
  if (token === undefined || token === '' || adminToken === undefined) return false;
  const session = await findConsoleSession(deps.store.db, deps.clock, token);
  if (!session || session.kind !== 'operator') return false;
  if (session.admin_fingerprint !== adminFingerprint(deps.config.secretKey, adminToken)) {
    await closeConsoleSession(deps.store.db, token);
    return false;
  }
  requireConsoleHeader(request);
  return true;
}

/** Clears the cookie on a reply (sign-out, or a session found dead). */
export function clearSessionCookie(deps: ApiDeps, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', sessionCookie(deps, request, null));
}
