import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config';

/**
 * CORS for browser clients that call the API directly (CORS_ALLOWED_ORIGINS). Unset: no CORS
 * headers and no preflight route (the console is same-origin). Set: allowed origins get
 * `Access-Control-Allow-Origin` on every answer — errors included, since the headers are set in
 * `onRequest`, before authentication — and `OPTIONS` preflights are answered 204 before any
 * authentication (browsers send no Authorization header on a preflight). CORS is not access
 * control: requests still need their API key or admin token.
 */
export async function registerCors(app: FastifyInstance, config: Pick<Config, 'cors'>): Promise<void> {
  if (!config.cors.any && config.cors.origins.length === 0) return;
  await app.register(cors, {
    origin: config.cors.any ? '*' : [...config.cors.origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // No allowedHeaders: the preflight's requested headers are reflected (Authorization,
    // Content-Type, X-ThunderPhone-Client...).
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
    // A bare OPTIONS (no Origin) gets the same 204 instead of a text/plain 400.
    strictPreflight: false,
  });
}
