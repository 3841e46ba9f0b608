import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';

const APP = 'https://app.example.com';

/** A browser's preflight before `PATCH /v1/agents/1` with an API key and a JSON body. */
const preflight = (origin: string) => ({
  origin,
  'access-control-request-method': 'PATCH',
  'access-control-request-headers': 'authorization,content-type,x-thunderphone-client',
});

describeApi(
  'CORS with CORS_ALLOWED_ORIGINS',
  (h) => {
    test('an allowed origin: the preflight is answered 204 without a key, with methods, headers and max-age', async () => {
      const res = await h().app.inject({ method: 'OPTIONS', url: '/v1/agents/1', headers: preflight(APP) });
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(res.headers['access-control-allow-origin'], APP);
      assert.match(String(res.headers['access-control-allow-methods']), /PATCH/);
      assert.match(String(res.headers['access-control-allow-methods']), /DELETE/);
      assert.equal(res.headers['access-control-allow-headers'], 'authorization,content-type,x-thunderphone-client');
      assert.equal(res.headers['access-control-max-age'], '600');
      assert.match(String(res.headers.vary), /Origin/);
      assert.equal(res.body, '');
    });

    test('errors stay {"detail","code"} and carry the CORS headers, so the browser can read them', async () => {
      const noKey = await h().request('GET', '/v1/agents', { headers: { origin: APP } });
      assert.equal(noKey.status, 401);
      assert.deepEqual(Object.keys(noKey.body).sort(), ['code', 'detail']);
      assert.equal(noKey.headers['access-control-allow-origin'], APP);
      assert.equal(noKey.headers['access-control-expose-headers'], 'X-Request-Id');
      const org = await h().createOrg();
      const missing = await h().request('GET', '/v1/agents/999999', { key: org.apiKey, headers: { origin: APP } });
      assert.deepEqual([missing.status, missing.body.code], [404, 'agent_not_found']);
      assert.equal(missing.headers['access-control-allow-origin'], APP);
      const fields = await h().request('POST', '/v1/agents', { key: org.apiKey, headers: { origin: APP }, body: {} });
      assert.equal(fields.status, 400);
      assert.ok(Array.isArray(fields.body.name));
      assert.equal(fields.headers['access-control-allow-origin'], APP);
      const ok = await h().request('GET', '/v1/agents', { key: org.apiKey, headers: { origin: APP } });
      assert.deepEqual([ok.status, ok.headers['access-control-allow-origin']], [200, APP]);
    });

    test('another origin gets no CORS headers (the browser blocks it); the API itself still answers', async () => {
      const pre = await h().app.inject({
        method: 'OPTIONS',
        url: '/v1/agents',
        headers: preflight('https://evil.example'),
      });
      assert.equal(pre.headers['access-control-allow-origin'], undefined);
      const res = await h().request('GET', '/v1/agents', { headers: { origin: 'https://evil.example' } });
      assert.equal(res.status, 401, 'CORS is not access control: the key is still required');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
    });
  },
  { env: { CORS_ALLOWED_ORIGINS: `${APP}, http://localhost:5173` } },
);

describeApi(
  'CORS_ALLOWED_ORIGINS=*',
  (h) => {
    test('any origin is allowed with *', async () => {
      const res = await h().app.inject({ method: 'OPTIONS', url: '/v1/call', headers: preflight('https://x.test') });
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      const health = await h().request('GET', '/v1/healthz', { headers: { origin: 'https://x.test' } });
      assert.equal(health.headers['access-control-allow-origin'], '*');
    });
  },
  { env: { CORS_ALLOWED_ORIGINS: '*' } },
);

describeApi('CORS by default (same-origin only)', (h) => {
  test('no CORS headers, and a preflight is an ordinary 404', async () => {
    const res = await h().app.inject({ method: 'OPTIONS', url: '/v1/agents', headers: preflight(APP) });
    assert.equal(res.statusCode, 404);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(JSON.parse(res.body).code, 'route_not_found');
    const get = await h().request('GET', '/v1/healthz', { headers: { origin: APP } });
    assert.equal(get.headers['access-control-allow-origin'], undefined);
  });
});
