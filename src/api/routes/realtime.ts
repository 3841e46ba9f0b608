import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ApiDeps } from '../deps';
import { errorResponses } from '../wire/common';
import { findActiveApiKey } from '../../orgs/api-keys';
import { AppError } from '../../shared/errors';
import { DRAIN_RETRY_AFTER_S } from '../../shared/drain-state';
import { parseRealtimeQuery } from '../../realtime/realtime-query';
import { consumeRealtimeSecret, REALTIME_SECRET_PREFIX, type SecretSession } from '../../realtime/realtime-secrets';
import type { RealtimeDialect } from '../../realtime/server-events';
import type { AdmittedSession, RealtimeSocket } from '../../calls/realtime-sessions';
import { apiKeyFromConsoleSession, CONSOLE_COOKIE, readCookie } from '../plugins/console-session';

/** Largest client frame: a few seconds of 24 kHz audio per append is plenty. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    realtime?: AdmittedSession;
  }
}

/**
 * Who opens a realtime session, in this order: `Authorization: Bearer sk_live_…` (the API key),
 * `?api_key=sk_live_…` (for clients that cannot set headers; the key ends up in access logs, so
 * prefer the header or a client secret), or the web console's session cookie — accepted only
 * when the upgrade's `Origin` is this server (a cross-site page cannot open the socket with it).
 */
async function realtimeOrg(
  deps: ApiDeps,
  request: FastifyRequest,
): Promise<{ orgId: number; session?: SecretSession }> {
  const header = request.headers.authorization;
  const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const query = request.query as Record<string, unknown>;
  const queryKey = typeof query.api_key === 'string' ? query.api_key : undefined;
  const raw = bearer ?? queryKey;
  if (raw?.startsWith(REALTIME_SECRET_PREFIX)) return consumeRealtimeSecret(deps.store.db, deps.clock, raw);
  if (raw !== undefined) {
    const key = await findActiveApiKey(deps.store.db, raw);
    if (!key) throw new AppError('invalid_api_key', 'Invalid API key.');
    return { orgId: Number(key.org_id) };
  }
  if (readCookie(request, CONSOLE_COOKIE) !== undefined) {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !sameOrigin(deps, request, origin))
      throw new AppError(
        'realtime_origin_not_allowed',
        'The console session cookie only opens sockets from this server.',
      );
    const key = await apiKeyFromConsoleSession(deps, request);
    return { orgId: Number(key.org_id) };
  }
  throw new AppError('not_authenticated', 'Authentication credentials were not provided.');
}

function sameOrigin(deps: ApiDeps, request: FastifyRequest, origin: string): boolean {
  const allowed = new Set<string>();
  try {
    allowed.add(new URL(deps.config.http.publicBaseUrl).origin);
  } catch {
    // an unusable PUBLIC_BASE_URL allows nothing more
  }
  const host = request.headers.host;
  if (typeof host === 'string') {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  return allowed.has(origin);
}

/** A client secret fixes the session's agent (or product and language); the query keeps only formats and numbers. */
function queryOfSecret(raw: unknown, session: SecretSession) {
  const { agent_id: _a, product: _p, language: _l, model: _m, ...rest } = raw as Record<string, unknown>;
  return parseRealtimeQuery(rest, 'agent_id' in session ? { agentId: session.agent_id } : session);
}

function dialectOf(request: FastifyRequest): RealtimeDialect {
  const beta = request.headers['openai-beta'];
  return typeof beta === 'string' && /realtime=v1/.test(beta) ? 'beta' : 'ga';
}

function socketAdapter(ws: WebSocket): RealtimeSocket {
  return {
    send: (text) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    },
    close: (code, reason) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    onMessage: (listener) =>
      ws.on('message', (data, isBinary) => {
        // Binary frames are not events: the parser answers them as invalid JSON.
        listener(isBinary ? '' : data.toString());
      }),
    onClose: (listener) => ws.once('close', () => listener()),
  };
}

/**
 * `GET /v1/realtime`: the OpenAI-Realtime-compatible WebSocket (thunderphone-api.md §3.22).
 * Authentication, the query and admission (agent, services, balance) run as ordinary hooks
 * BEFORE the upgrade, so a refusal is a plain HTTP status with the `{detail, code}` body.
 */
export function registerRealtimeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.route({
    method: 'GET',
    url: '/v1/realtime',
    schema: { hide: true, response: errorResponses },
    preHandler: async (request) => {
      if (!request.ws)
        throw new AppError('websocket_upgrade_required', 'GET /v1/realtime is a WebSocket: send Upgrade: websocket.');
      const { orgId, session } = await realtimeOrg(deps, request);
      const query = session
        ? queryOfSecret(request.query, session)
        : parseRealtimeQuery(request.query as Record<string, unknown>);
      const sessions = deps.realtime;
      if (!sessions) throw new AppError('agent_not_configured', 'This server runs no realtime sessions.');
      if (deps.drain.draining)
        throw new AppError('server_draining', 'This server is shutting down for a deploy: connect again.', {
          details: { retry_after_s: DRAIN_RETRY_AFTER_S },
        });
      const model = (request.query as Record<string, unknown>).model;
      const admitted = await sessions.admit({
        orgId,
        query,
        dialect: dialectOf(request),
        model: typeof model === 'string' ? model : undefined,
      });
      request.realtime = admitted;
      // The client may go away between admission and the upgrade: the call then ends unbilled.
      request.raw.socket.once('close', () => {
        if (request.realtime === admitted) void admitted.abandon();
      });
    },
    handler: async () => {
      throw new AppError('websocket_upgrade_required', 'GET /v1/realtime is a WebSocket: send Upgrade: websocket.');
    },
    wsHandler: (socket, request) => {
      const admitted = request.realtime;
      request.realtime = undefined;
      if (!admitted) return socket.close(1011, 'not admitted');
      void admitted
        .run(socketAdapter(socket))
        .catch((err: unknown) => deps.log.error({ err }, 'realtime session failed'));
    },
  });
}

export const REALTIME_MAX_FRAME_BYTES = MAX_FRAME_BYTES;
