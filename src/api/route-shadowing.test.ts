import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../test/support/api-harness';

/**
 * Literal path segments must never be handled by a parametric route (`GET /v1/phone-numbers/limits`
 * once answered 400 from `/phone-numbers/:id`'s id pattern). find-my-way prefers a static route of
 * the same method, so the danger is a literal that exists only as a parametric match: for another
 * method, or a documented path this server lacks. Both must be a plain 404, never a handler.
 */

/** Literal paths of thunderphone-api.md §3.26 that sit where an `{id}` route also matches. */
const DOCUMENTED_LITERALS: [string, string][] = [
  ['GET', '/v1/phone-numbers/limits'],
  ['GET', '/v1/calls/export'],
  ['POST', '/v1/voip-connections/test'],
  ['POST', '/v1/voip-connections/suggest-name'],
  ['POST', '/v1/agents/prompt-language-check'],
  ['POST', '/v1/agents/translate-prompt'],
  ['POST', '/v1/agents/generate-acknowledgement-prompt'],
  ['POST', '/v1/integrations/test-request'],
  ['POST', '/v1/knowledge/documents/import-url'],
  ['GET', '/v1/outbound-tcpa-confirmation'],
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const segments = (url: string) => url.split('/').filter(Boolean);
const isParam = (s: string) => s.startsWith(':') || s === '*';

/** `pattern` (with :params) matches the literal `url` segment by segment. */
function matches(pattern: string, url: string): boolean {
  const p = segments(pattern);
  const u = segments(url);
  return p.length === u.length && p.every((s, i) => isParam(s) || s === u[i]);
}

describeApi('route shadowing', (h) => {
  test('every (method, literal path) reaches its own route or a 404, never a parametric handler', async () => {
    const org = await h().createOrg();
    const routes = h().app.routeInfo.filter((r: { url: string }) => r.url !== '*');
    const literals = new Set<string>(DOCUMENTED_LITERALS.map(([, url]) => url));
    for (const r of routes) if (!segments(r.url).some(isParam)) literals.add(r.url);
    const checked: string[] = [];
    for (const url of literals) {
      for (const method of METHODS) {
        const own = routes.some((r: { method: string; url: string }) => r.method === method && r.url === url);
        const found = h().app.findRoute({ method, url });
        if (own) {
          assert.deepEqual(
            Object.keys(found?.params ?? { missing: 1 }),
            [],
            `${method} ${url} is its own static route`,
          );
          continue;
        }
        const parametric = routes.filter(
          (r: { method: string; url: string }) => r.method === method && segments(r.url).some(isParam),
        );
        if (!parametric.some((r: { url: string }) => matches(r.url, url))) continue;
        checked.push(`${method} ${url}`);
        const res = await h().request(method, url, { key: org.apiKey, body: method === 'GET' ? undefined : {} });
        assert.deepEqual(
          [res.status, res.body?.code],
          [404, 'route_not_found'],
          `${method} ${url} was taken by a parametric route: ${res.status} ${res.text}`,
        );
      }
    }
    assert.ok(checked.includes('PATCH /v1/phone-numbers/limits'), checked.join(', '));
    assert.ok(checked.includes('GET /v1/agents/prompt-language-check'), checked.join(', '));
  });
});
