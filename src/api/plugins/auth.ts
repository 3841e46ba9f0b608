import type { FastifyReply, FastifyRequest } from 'fastify';
import { findActiveApiKey } from '../../orgs/api-keys';
import { AppError } from '../../shared/errors';
import { constantTimeEqual } from '../../shared/secret-box';
import type { ApiDeps } from '../deps';
import { apiKeyFromConsoleSession, operatorFromConsoleSession } from './console-session';

export interface TenantAuth {
  orgId: number;
  apiKeyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: TenantAuth;
  }
}

const LAST_USED_WRITE_EVERY_MS = 60_000;

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** onRequest hook for tenant routes: `Authorization: Bearer sk_live_...`; the org comes from the key. */
export function authenticateTenant(deps: ApiDeps) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const raw = bearer(request);
    // Without a Bearer key, the web console's session cookie (console-session.ts) acts as its key.
    const key =
      raw === undefined ? await apiKeyFromConsoleSession(deps, request) : await findActiveApiKey(deps.store.db, raw);
    if (!key) throw new AppError('invalid_api_key', 'Invalid API key.');
    request.auth = { orgId: Number(key.org_id), apiKeyId: key.id };
    const nowMs = deps.clock.nowMs();
    if (key.last_used_at === null || nowMs - Date.parse(key.last_used_at) > LAST_USED_WRITE_EVERY_MS) {
      // Best effort, off the request path.
      deps.store.db
        .updateTable('api_keys')
        .set({ last_used_at: new Date(nowMs).toISOString() })
        .where('id', '=', key.id)
        .execute()
        .catch((err: unknown) => deps.log.warn({ err }, 'last_used_at update failed'));
    }
  };
}

/** onRequest hook for the operator admin API (self-hosting contract, section 3). */
export function authenticateAdmin(deps: ApiDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = deps.config.adminToken;
    const raw = bearer(request);
    if (token !== undefined && raw === undefined && (await operatorFromConsoleSession(deps, request))) return;
    if (token === undefined || raw === undefined || !constantTimeEqual(raw, token)) {
      throw new AppError('invalid_admin_token', 'Invalid admin token.');
    }
  };
}
