import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, createApiHarness } from '../../../test/support/api-harness';
import { testDialects } from '../../../test/support/dialects';
import { WebhookReceiver } from '../../webhooks/testing/webhook-receiver';
import { verifySignature } from '../../webhooks/testing/webhook-fixture';

const BASE = '/v1/developer/webhook-endpoints';

describeApi('webhook endpoints API', (h) => {
  test('create returns the whsec_ secret once; list and patch show only secret_hint', async () => {
    const org = await h().createOrg();
    const created = await h().request('POST', BASE, {
      key: org.apiKey,
      body: { label: 'Prod', url: 'https://hooks.example.com/tp', events: ['telephony.complete', 'call.graded'] },
    });
    assert.equal(created.status, 201, created.text);
    const ep = created.body;
    assert.match(ep.id, /^[0-9a-f-]{36}$/);
    assert.match(ep.secret, /^whsec_[0-9a-f]{42}$/);
    assert.equal(ep.secret_hint, `whsec_${ep.secret.slice(6, 9)}…${ep.secret.slice(-5)}`);
    assert.equal(ep.status, 'active');
    assert.deepEqual(ep.events, ['telephony.complete', 'call.graded']);
    const list = await h().request('GET', BASE, { key: org.apiKey });
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].secret, undefined);
    assert.equal(list.body[0].secret_hint, ep.secret_hint);
    assert.ok(!list.text.includes(ep.secret));
    const patched = await h().request('PATCH', `${BASE}/${ep.id}`, {
      key: org.apiKey,
      body: { label: 'Renamed', events: [] },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.label, 'Renamed');
    assert.deepEqual(patched.body.events, []);
    assert.equal(patched.body.secret, undefined);
  });

  test('the secret is encrypted at rest', async () => {
    const org = await h().createOrg();
    const ep = (
      await h().request('POST', BASE, { key: org.apiKey, body: { label: 'x', url: 'https://a.example.com/' } })
    ).body;
    const row = await h()
      .deps.store.db.selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', ep.id)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(ep.secret));
    assert.equal(h().deps.secretBox.open(row.secret_enc), ep.secret);
  });

  test('bad input is a 400 that changes nothing: unknown events, bad label, unknown fields, bad URLs', async () => {
    const org = await h().createOrg();
    const bad = async (body: unknown) => {
      const res = await h().request('POST', BASE, { key: org.apiKey, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      return res.body;
    };
    assert.ok(
      (
        await bad({ label: 'x', url: 'https://a.example.com/', events: ['telephony.complete', 'call.exploded'] })
      ).events[0].includes('call.exploded'),
    );
    assert.ok((await bad({ label: '', url: 'https://a.example.com/' })).label);
    assert.ok((await bad({ label: 'x', url: 'https://a.example.com/', secret: 'mine' })).secret);
    assert.ok((await bad({ url: 'https://a.example.com/' })).label);
    const http = await bad({ label: 'x', url: 'http://hooks.example.com/' });
    assert.equal(http.code, 'url_not_allowed');
    assert.equal(typeof http.detail, 'string');
    assert.equal((await bad({ label: 'x', url: 'https://169.254.169.254/' })).code, 'url_not_allowed');
    assert.equal((await bad({ label: 'x', url: 'javascript:alert(1)' })).code, 'url_not_allowed');
    assert.deepEqual((await h().request('GET', BASE, { key: org.apiKey })).body, []);
    const ep = (
      await h().request('POST', BASE, { key: org.apiKey, body: { label: 'x', url: 'http://localhost:9999/hook' } })
    ).body;
    const patch = await h().request('PATCH', `${BASE}/${ep.id}`, { key: org.apiKey, body: { status: 'failing' } });
    assert.equal(patch.status, 400);
    assert.equal(
      (await h().request('PATCH', `${BASE}/${ep.id}`, { key: org.apiKey, body: { url: 'http://example.com/' } })).body
        .code,
      'url_not_allowed',
    );
    assert.equal((await h().request('GET', BASE, { key: org.apiKey })).body[0].url, 'http://localhost:9999/hook');
  });

  test('another org gets 404 on every endpoint route, and its list stays empty', async () => {
    const owner = await h().createOrg();
    const other = await h().createOrg();
    const ep = (
      await h().request('POST', BASE, { key: owner.apiKey, body: { label: 'mine', url: 'https://a.example.com/' } })
    ).body;
    const calls: [string, string, unknown][] = [
      ['PATCH', `${BASE}/${ep.id}`, { label: 'stolen' }],
      ['DELETE', `${BASE}/${ep.id}`, undefined],
      ['POST', `${BASE}/${ep.id}/test`, undefined],
      ['GET', `${BASE}/${ep.id}/deliveries`, undefined],
      ['POST', `${BASE}/${ep.id}/rotate-secret`, {}],
    ];
    for (const [method, url, body] of calls) {
      const res = await h().request(method, url, { key: other.apiKey, body });
      assert.equal(res.status, 404, `${method} ${url}`);
    }
    assert.deepEqual((await h().request('GET', BASE, { key: other.apiKey })).body, []);
    const still = (await h().request('GET', BASE, { key: owner.apiKey })).body;
    assert.equal(still[0].label, 'mine');
    assert.equal((await h().request('GET', BASE)).status, 401);
  });

  test('delete is 204, then 404', async () => {
    const org = await h().createOrg();
    const ep = (
      await h().request('POST', BASE, { key: org.apiKey, body: { label: 'x', url: 'https://a.example.com/' } })
    ).body;
    assert.equal((await h().request('DELETE', `${BASE}/${ep.id}`, { key: org.apiKey })).status, 204);
    assert.equal((await h().request('DELETE', `${BASE}/${ep.id}`, { key: org.apiKey })).status, 404);
    assert.equal((await h().request('PATCH', `${BASE}/not-a-uuid`, { key: org.apiKey, body: {} })).status, 404);
  });

  test('POST /test sends a signed webhook.test event and the attempt shows in /deliveries', async () => {
    const rx = await WebhookReceiver.start();
    try {
      const org = await h().createOrg();
      const ep = (await h().request('POST', BASE, { key: org.apiKey, body: { label: 'x', url: rx.url() } })).body;
      rx.script = () => ({ status: 200 });
      const ok = await h().request('POST', `${BASE}/${ep.id}/test`, { key: org.apiKey });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.success, true);
      assert.equal(ok.body.status_code, 200);
      assert.equal(rx.requests.length, 1);
      assert.equal(JSON.parse(rx.requests[0]!.raw.toString()).type, 'webhook.test');
      assert.ok(verifySignature(ep.secret, rx.requests[0]!.raw, rx.requests[0]!.headers['x-thunderphone-signature']));
      rx.script = () => ({ status: 404 });
      const failed = await h().request('POST', `${BASE}/${ep.id}/test`, { key: org.apiKey });
      assert.equal(failed.body.success, false);
      assert.equal(failed.body.error, 'http_404');
      const log = await h().request('GET', `${BASE}/${ep.id}/deliveries?limit=1`, { key: org.apiKey });
      assert.equal(log.status, 200);
      assert.equal(log.body.length, 1);
      assert.equal(log.body[0].status_code, 404);
      assert.equal(typeof log.body[0].latency_ms, 'number');
    } finally {
      await rx.close();
    }
  });

  test('rotate-secret returns a new secret once, with the grace deadline; bad grace is a 400', async () => {
    const org = await h().createOrg();
    const ep = (
      await h().request('POST', BASE, { key: org.apiKey, body: { label: 'x', url: 'https://a.example.com/' } })
    ).body;
    const res = await h().request('POST', `${BASE}/${ep.id}/rotate-secret`, { key: org.apiKey, body: {} });
    assert.equal(res.status, 200);
    assert.match(res.body.secret, /^whsec_/);
    assert.notEqual(res.body.secret, ep.secret);
    assert.notEqual(res.body.secret_hint, ep.secret_hint);
    assert.equal(Date.parse(res.body.previous_secret_expires_at) - Date.now() > 23 * 3600_000, true);
    assert.equal(
      (
        await h().request('POST', `${BASE}/${ep.id}/rotate-secret`, {
          key: org.apiKey,
          body: { grace_period_seconds: -1 },
        })
      ).status,
      400,
    );
  });

  test('legacy /v1/webhook: empty at first, PUT sets url and shows the secret, PATCH keeps the secret', async () => {
    const org = await h().createOrg();
    const empty = await h().request('GET', '/v1/webhook', { key: org.apiKey });
    assert.deepEqual(empty.body, { url: null, secret: null, created_at: null, updated_at: null });
    const put = await h().request('PUT', '/v1/webhook', {
      key: org.apiKey,
      body: { url: 'https://legacy.example.com/hook' },
    });
    assert.equal(put.status, 200);
    assert.match(put.body.secret, /^whsec_/);
    const patch = await h().request('PATCH', '/v1/webhook', {
      key: org.apiKey,
      body: { url: 'https://legacy.example.com/v2' },
    });
    assert.equal(patch.body.secret, put.body.secret);
    assert.equal(patch.body.url, 'https://legacy.example.com/v2');
    const got = await h().request('GET', '/v1/webhook', { key: org.apiKey });
    assert.deepEqual(got.body, patch.body);
    const bad = await h().request('PUT', '/v1/webhook', {
      key: org.apiKey,
      body: { url: 'http://legacy.example.com/' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'url_not_allowed');
    assert.equal(
      (await h().request('GET', `/v1/orgs/${org.id}/webhook`, { key: org.apiKey })).body.url,
      'https://legacy.example.com/v2',
    );
    const other = await h().createOrg();
    assert.equal((await h().request('GET', `/v1/orgs/${org.id}/webhook`, { key: other.apiKey })).status, 404);
    assert.equal(
      (
        await h().request('PUT', `/v1/orgs/${org.id}/webhook`, {
          key: other.apiKey,
          body: { url: 'https://evil.example.com/' },
        })
      ).status,
      404,
    );
    assert.equal((await h().request('GET', '/v1/webhook', { key: other.apiKey })).body.url, null);
    assert.equal(
      (await h().request('GET', '/v1/webhook', { key: org.apiKey })).body.url,
      'https://legacy.example.com/v2',
    );
  });
});

for (const dialect of testDialects().slice(0, 1)) {
  test(`ALLOW_PRIVATE_TARGETS=none refuses loopback webhook URLs (url_not_allowed) [${dialect}]`, async () => {
    const h = await createApiHarness(dialect, { env: { ALLOW_PRIVATE_TARGETS: 'none' } });
    try {
      const org = await h.createOrg();
      const res = await h.request('POST', BASE, {
        key: org.apiKey,
        body: { label: 'x', url: 'http://localhost:3000/hook' },
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'url_not_allowed');
      assert.equal(
        (await h.request('PUT', '/v1/webhook', { key: org.apiKey, body: { url: 'http://127.0.0.1:3000/' } })).body.code,
        'url_not_allowed',
      );
    } finally {
      await h.close();
    }
  });
}
