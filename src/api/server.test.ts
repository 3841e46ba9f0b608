import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../test/support/api-harness';

describeApi('HTTP conventions', (h) => {
  test('healthz answers without authentication', async () => {
    const res = await h().request('GET', '/v1/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.body.checks.database.status, 'ok');
    assert.equal(res.body.checks.database.reason, null);
    assert.equal(res.body.checks.llm.status, 'ok');
    assert.equal(res.body.checks.stt.status, 'ok');
    assert.equal(res.body.checks.tts.status, 'ok', JSON.stringify(res.body.checks.tts));
    // This in-process server runs no SIP user agent: healthz says so instead of claiming all is well.
    assert.deepEqual([res.body.ok, res.body.status, res.body.checks.sip.status], [false, 'degraded', 'missing']);
    assert.match(String(res.headers['x-request-id']), /^req_/);
  });

  test('unknown routes get a JSON 404 with a detail', async () => {
    const org = await h().createOrg();
    const res = await h().request('GET', '/v1/nothing-here', { key: org.apiKey });
    assert.equal(res.status, 404);
    assert.equal(typeof res.body.detail, 'string');
  });

  test('a caller-supplied request id is echoed back', async () => {
    const res = await h().request('GET', '/v1/healthz', { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.headers['x-request-id'], 'abc-123');
  });

  test('every /v1 and /admin route declares a response schema', async () => {
    const missing = h()
      .app.routeInfo.filter((r: { url: string }) => r.url.startsWith('/v1') || r.url.startsWith('/admin'))
      .filter((r: { hasSchema: boolean }) => !r.hasSchema)
      .map((r: { method: string; url: string }) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, []);
  });

  test('openapi.json is served and lists healthz', async () => {
    const res = await h().request('GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.ok(res.body.paths['/v1/healthz']);
  });

  test('JSON bodies are validated as sent: a number is not quietly turned into a string', async () => {
    const org = await h().createOrg({ name: 'Typed' });
    const res = await h().request('PATCH', `/v1/orgs/${org.id}/`, { key: org.apiKey, body: { name: 123 } });
    assert.equal(res.status, 400);
    assert.ok(Array.isArray(res.body.name), 'field message for name');
    const after = await h().request('GET', `/v1/orgs/${org.id}/`, { key: org.apiKey });
    assert.equal(after.body.name, 'Typed');
  });

  test('query strings are still read as numbers', async () => {
    const org = await h().createOrg();
    const res = await h().request('GET', '/v1/calls?limit=5&offset=0', { key: org.apiKey });
    assert.equal(res.status, 200);
    assert.equal(res.body.limit, 5);
  });
});
