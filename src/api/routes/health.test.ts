import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrivatePostgres, type PrivatePostgres } from '../../../test/support/private-postgres';
import { createApiHarness, type ApiHarness, type TestOrg } from '../../../test/support/api-harness';
import { openStore } from '../../store/db';
import { until } from '../../../test/support/until';

/*
 * The API while PostgreSQL is down (a private server, stopped and started by the test): requests
 * that need the database answer 503 database_unavailable at once (not 500, not a hang), healthz
 * says the database is down and why, and everything works again once it is back.
 */

describe('the API during a PostgreSQL outage', () => {
  let server: PrivatePostgres;
  let h: ApiHarness;
  let org: TestOrg;
  before(async () => {
    server = await startPrivatePostgres();
    h = await createApiHarness('postgres', { store: await openStore(server.url, { poolSize: 4 }), startQueue: true });
    org = await h.createOrg();
  });
  after(async () => {
    await h?.close();
    await server?.destroy();
  });

  test('healthz is ok with the database check while it answers', async () => {
    const res = await h.request('GET', '/v1/healthz');
    assert.equal(res.status, 200);
    // (This in-process server runs no SIP user agent, so `ok` is false for `checks.sip`.)
    assert.equal(res.body.checks.database.status, 'ok');
    assert.equal(res.body.checks.database.reason, null);
    assert.equal(res.body.checks.database.dialect, 'postgres');
    assert.equal(typeof res.body.checks.database.latency_ms, 'number');
  });

  test('database down: 503 database_unavailable for API requests, healthz degraded with a reason; back: all ok', async () => {
    assert.equal((await h.request('GET', '/v1/calls', { key: org.apiKey })).status, 200);
    await server.stop('fast');

    for (const [method, url, body] of [
      ['GET', '/v1/calls', undefined],
      ['GET', '/v1/agents', undefined],
      ['POST', '/v1/agents', { name: 'During the outage', prompt: 'Hi', voice: 'en-US-James1', product: 'spark' }],
    ] as const) {
      const res = await h.request(method, url, { key: org.apiKey, body });
      assert.equal(res.status, 503, `${method} ${url}: ${res.text}`);
      assert.deepEqual(res.body, {
        detail: 'The database is unavailable; retry shortly.',
        code: 'database_unavailable',
      });
      assert.equal(res.headers['retry-after'], '1');
    }
    const health = await h.request('GET', '/v1/healthz');
    assert.equal(health.status, 200, 'the process is alive: an orchestrator must not restart it (live calls)');
    assert.equal(health.body.ok, false);
    assert.equal(health.body.status, 'degraded');
    assert.equal(health.body.checks.database.status, 'down');
    assert.deepEqual(
      Object.keys(health.body.checks).filter((c) => health.body.checks[c].status === 'down'),
      ['database'],
    );
    assert.match(health.body.checks.database.reason, /ECONNREFUSED|57P01|terminating/);
    assert.ok(Date.parse(health.body.checks.database.since) > 0);

    await server.start();
    await until(
      'healthz ok again',
      async () => (await h.request('GET', '/v1/healthz')).body.checks.database.status === 'ok',
    );
    assert.equal((await h.request('GET', '/v1/calls', { key: org.apiKey })).status, 200);
    const agents = await h.request('GET', '/v1/agents', { key: org.apiKey });
    assert.equal(agents.status, 200);
    assert.ok(
      !JSON.stringify(agents.body).includes('During the outage'),
      'the request refused during the outage changed nothing',
    );
  });
});
