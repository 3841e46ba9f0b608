import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { ApiDeps } from './deps';
import { clientErrorHandler, registerErrorHandler } from './plugins/error-handler';
import { boundIntegers, registerInputLimits } from './plugins/input-limits';
import { registerCors } from './plugins/cors';
import { authenticateAdmin, authenticateTenant } from './plugins/auth';
import { healthRoutes } from './routes/health';
import { ADMIN_ROUTES, PUBLIC_ROUTES, TENANT_ROUTES } from './routes/index';
import { REALTIME_MAX_FRAME_BYTES, registerRealtimeRoutes } from './routes/realtime';

export interface RouteInfo {
  method: string;
  url: string;
  hasSchema: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP app. Never listens: main.ts (or a test) decides that. */
export async function buildServer(deps: ApiDeps): Promise<FastifyInstance & { routeInfo: RouteInfo[] }> {
  // pino's Logger as Fastify's base logger type (Fastify otherwise infers its generics from it).
  const loggerInstance: FastifyBaseLogger = deps.log;
  const tls = deps.config.http.tls;
  const app = Fastify({
    // TLS_CERT_FILE / TLS_KEY_FILE: HTTPS and WSS without a proxy (the OpenAI SDK's realtime client only speaks wss).
    ...(tls ? { https: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
    loggerInstance,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
    // Header overflow (a 100 KB query string: 431), timeouts and malformed HTTP in our error shape.
    clientErrorHandler,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : deps.ids.token('req_', 12);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON bodies are validated as sent (a string "30" is not an integer); query strings and path
  // params are text on the wire, so they are coerced ("?limit=10" → 10, one value → array).
  const makeAjv = (coerceTypes: false | 'array'): Ajv => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
    addFormats.default(ajv);
    return ajv;
  };
  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(boundIntegers(schema)),
  );

  const routeInfo: RouteInfo[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routeInfo.push({
        method,
        url: route.url,
        hasSchema: route.schema !== undefined && route.schema.response !== undefined,
      });
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandler(app);
  registerInputLimits(app);
  await registerCors(app, deps.config);
  // A bodyless request that still says `content-type: application/json` (common in clients and
  // curl scripts: DELETE, POST .../duplicate) has no body rather than a malformed one.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return defaultJson(request, text, done);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ThunderPhone API (self-hosted)',
        version: '1.0.0',
        description:
          'Wire-compatible with the public ThunderPhone API. Authenticate with `Authorization: Bearer sk_live_...`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // WebSocket upgrades go through the router and its hooks first (auth, admission), then upgrade.
  await app.register(websocket, { options: { maxPayload: REALTIME_MAX_FRAME_BYTES } });
  registerRealtimeRoutes(app, deps);
  await app.register(
    async (v1) => {
      await v1.register(healthRoutes(deps));
      await v1.register(async (tenant) => {
        tenant.addHook('onRequest', authenticateTenant(deps));
        for (const routes of TENANT_ROUTES) await tenant.register(routes(deps));
      });
    },
    { prefix: '/v1' },
  );
  if (deps.config.adminToken !== undefined) {
    await app.register(
      async (admin) => {
        admin.addHook('onRequest', authenticateAdmin(deps));
        for (const routes of ADMIN_ROUTES) await admin.register(routes(deps));
      },
      { prefix: '/admin/v1' },
    );
  }
  for (const routes of PUBLIC_ROUTES) await app.register(routes(deps));

  await app.ready();
  return Object.assign(app, { routeInfo });
}
