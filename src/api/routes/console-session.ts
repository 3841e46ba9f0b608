import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../route-module';
import type { ApiDeps } from '../deps';
import { AppError } from '../../shared/errors';
import { constantTimeEqual } from '../../shared/secret-box';
import { API_KEY_PREFIX, findActiveApiKey } from '../../orgs/api-keys';
import { getOrg } from '../../orgs/org-queries';
import {
  adminFingerprint,
  closeConsoleSession,
  findConsoleSession,
  openConsoleSession,
  type ConsoleSessionRow,
} from '../../orgs/console-sessions';
import {
  CONSOLE_COOKIE,
  apiKeyFromConsoleSession,
  clearSessionCookie,
  readCookie,
  requireConsoleHeader,
  sessionCookie,
} from '../plugins/console-session';
import { ErrorBody, Nullable, Timestamp } from '../wire/common';

const SessionWire = Type.Object({
  kind: Type.Union([Type.Literal('org'), Type.Literal('operator')]),
  org: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  api_key: Nullable(Type.Object({ id: Type.String(), name: Type.String(), key_prefix: Type.String() })),
  expires_at: Timestamp,
  features: Type.Object({
    campaigns: Type.Boolean({ description: 'the campaigns API answers on this server' }),
    realtime: Type.Boolean({ description: 'the /v1/realtime WebSocket exists (Talk to this agent)' }),
    operator: Type.Boolean({ description: 'THUNDERPHONE_ADMIN_TOKEN is set' }),
  }),
});

/** Routes that appear when other work packages land; the console shows their pages only then. */
function features(deps: ApiDeps, request: FastifyRequest) {
  const has = (url: string) => request.server.hasRoute({ method: 'GET', url });
  return {
    campaigns: has('/v1/campaigns'),
    // The route always exists; sessions run only where the call runtime runs them (npm start).
    realtime: deps.realtime !== undefined && has('/v1/realtime'),
    operator: deps.config.adminToken !== undefined,
  };
}

/**
 * The web console's sign-in (outside /v1: no Bearer key). `POST /console/session` exchanges an
 * org API key — or the operator's admin token — for an opaque session token in an httpOnly,
 * SameSite=Strict cookie; the key itself never reaches the browser's storage or a URL. With the
 * cookie, /v1 (or /admin/v1 for the operator) acts as that key until sign-out, expiry, or the key's
 * revocation.
 */
export const consoleSessionRoutes: RouteModule = (deps) => async (app) => {
  const { store, clock, ids, config } = deps;
  const tags = ['console'];

  const describe = async (row: ConsoleSessionRow, request: FastifyRequest) => {
    if (row.kind === 'operator')
      return {
        kind: 'operator' as const,
        org: null,
        api_key: null,
        expires_at: row.expires_at,
        features: features(deps, request),
      };
    const [org, key] = await Promise.all([
      getOrg(store.db, Number(row.org_id)),
      store.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', row.api_key_id ?? '')
        .executeTakeFirst(),
    ]);
    return {
      kind: 'org' as const,
      org: org ? { id: Number(org.id), name: org.name } : null,
      api_key: key ? { id: key.id, name: key.name, key_prefix: key.key_prefix } : null,
      expires_at: row.expires_at,
      features: features(deps, request),
    };
  };

  app.post(
    '/console/session',
    {
      schema: {
        tags,
        summary: 'Sign in to the web console with an org API key or the admin token (sets an httpOnly cookie)',
        security: [],
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 201: SessionWire, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      requireConsoleHeader(req);
      const raw = req.body.key.trim();
      let opened;
      if (raw.startsWith(API_KEY_PREFIX)) {
        const key = await findActiveApiKey(store.db, raw);
        if (!key) throw new AppError('invalid_api_key', 'Invalid API key.');
        opened = await openConsoleSession(store.db, clock, ids, {
          kind: 'org',
          orgId: Number(key.org_id),
          apiKeyId: key.id,
        });
      } else if (config.adminToken !== undefined && constantTimeEqual(raw, config.adminToken)) {
        opened = await openConsoleSession(store.db, clock, ids, {
          kind: 'operator',
          adminFingerprint: adminFingerprint(config.secretKey, config.adminToken),
        });
      } else {
        throw new AppError('invalid_api_key', 'Invalid API key or admin token.');
      }
      reply.header('set-cookie', sessionCookie(deps, req, opened.token));
      return reply.status(201).send(await describe(opened.row, req));
    },
  );

  app.get(
    '/console/session',
    {
      schema: {
        tags,
        summary: 'The console session of the cookie (401 session_expired / session_key_revoked when it ended)',
        security: [],
        response: { 200: SessionWire, 401: ErrorBody },
      },
    },
    async (req, reply) => {
      const token = readCookie(req, CONSOLE_COOKIE);
      if (token === undefined || token === '') throw new AppError('not_authenticated', 'Not signed in.');
      const row = await findConsoleSession(store.db, clock, token);
      if (!row) {
        clearSessionCookie(deps, req, reply);
        throw new AppError('session_expired', 'Your console session has ended; sign in again.');
      }
      if (row.kind === 'org') {
        try {
          await apiKeyFromConsoleSession(deps, req);
        } catch (err) {
          clearSessionCookie(deps, req, reply);
          throw err;
        }
      } else if (
        config.adminToken === undefined ||
        row.admin_fingerprint !== adminFingerprint(config.secretKey, config.adminToken)
      ) {
        await closeConsoleSession(store.db, token);
        clearSessionCookie(deps, req, reply);
        throw new AppError('session_expired', 'The admin token changed; sign in again.');
      }
      return describe(row, req);
    },
  );

  app.delete(
    '/console/session',
    {
      schema: {
        tags,
        summary: 'Sign out: the session ends at once and the cookie is cleared',
        security: [],
        response: { 204: Type.Null(), 403: ErrorBody },
      },
    },
    async (req, reply) => {
      requireConsoleHeader(req);
      const token = readCookie(req, CONSOLE_COOKIE);
      if (token) await closeConsoleSession(store.db, token);
      clearSessionCookie(deps, req, reply);
      return reply.status(204).send(null);
    },
  );
};
