import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { RouteModule } from '../route-module';

/** Where `npm run build:console` (web/, Vite) writes the console. */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the API (their unknown URLs stay JSON 404s, never the console page). */
const API_PREFIXES = ['/v1', '/admin/', '/admin?', '/console/', '/recordings/', '/docs', '/openapi.json'];

const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
    "frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ThunderPhone</title></head>
<body><main><h1>The console is not built</h1><p>Run <code>npm run build:console</code> (it runs on
<code>npm ci</code> and <code>npm start</code>), then reload. The API is at <a href="/docs">/docs</a>.</p></main></body></html>`;

/**
 * The web console (web/, a React app built by Vite) at `/`: hashed assets under /assets/ (cached
 * for a year), and index.html for every other GET that is not an API path, so client-side routes
 * (/calls/12) load on reload. Nothing comes from a CDN.
 */
export const consoleStaticRoutes: RouteModule =
  (_deps, distDir = CONSOLE_DIST_DIR) =>
  async (app) => {
    const assets = join(distDir, 'assets');
    if (existsSync(assets)) {
      await app.register(fastifyStatic, {
        root: assets,
        prefix: '/assets/',
        decorateReply: false,
        immutable: true,
        maxAge: '365d',
        index: false,
      });
    }
    // Re-read when a rebuild replaced it (its asset names changed with it).
    let cached: { mtimeMs: number; html: string } | undefined;
    const page = (): string | undefined => {
      const file = join(distDir, 'index.html');
      const mtimeMs = existsSync(file) ? statSync(file).mtimeMs : undefined;
      if (mtimeMs === undefined) return undefined;
      if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(file, 'utf8') };
      return cached.html;
    };

    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      const path = req.url.split('?')[0] ?? '/';
      if (
        API_PREFIXES.some((p) => path === p.replace(/[/?]$/, '') || path.startsWith(p)) ||
        /\.[a-z0-9]{1,8}$/i.test(path)
      )
        return reply.status(404).send({ detail: 'Not found.', code: 'route_not_found' });
      const html = page();
      return reply
        .status(html === undefined ? 503 : 200)
        .headers(CONSOLE_HEADERS)
        .type('text/html; charset=utf-8')
        .send(html ?? NOT_BUILT);
    });
  };
