import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiHarness, describeApi } from '../../../test/support/api-harness';
import { testDialects } from '../../../test/support/dialects';

const admin = { admin: true } as const;

describeApi('operator admin API', (h) => {
  test('create an org with a balance; its key works on /v1 and the balance is a ledger row', async () => {
    const res = await h().request('POST', '/admin/v1/orgs', {
      key: admin,
      body: { name: 'Acme', balance_cents: 5000, trial: true },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['api_key', 'org']);
    assert.deepEqual(Object.keys(res.body.org).sort(), ['created_at', 'id', 'name', 'trial']);
    assert.equal(res.body.org.trial, true);
    assert.match(res.body.api_key, /^sk_live_/);
    const billing = await h().request('GET', '/v1/billing', { key: res.body.api_key });
    assert.equal(billing.body.balance_cents, 5000);
    const tx = await h().request('GET', '/v1/billing/transactions', { key: res.body.api_key });
    assert.equal(tx.body.results[0].amount_cents, 5000);
    const list = await h().request('GET', '/admin/v1/orgs', { key: admin });
    const row = list.body.find((o: any) => o.id === res.body.org.id);
    assert.deepEqual(
      { ...row, created_at: '' },
      { id: res.body.org.id, name: 'Acme', trial: true, balance_cents: 5000, created_at: '' },
    );
  });

  test('defaults: balance 0, not trial', async () => {
    const res = await h().request('POST', '/admin/v1/orgs', { key: admin, body: { name: 'Zero' } });
    assert.equal(res.status, 201);
    assert.equal(res.body.org.trial, false);
    assert.equal((await h().request('GET', '/v1/billing', { key: res.body.api_key })).body.balance_cents, 0);
  });

  test('credits change the balance by exactly the amount, negative included', async () => {
    const org = await h().createOrg({ balanceCents: 1000 });
    const plus = await h().request('POST', `/admin/v1/orgs/${org.id}/credits`, {
      key: admin,
      body: { amount_cents: 250, description: 'Promo' },
    });
    assert.equal(plus.status, 201, plus.text);
    assert.deepEqual(
      [plus.body.amount_cents, plus.body.balance_after_cents, plus.body.kind, plus.body.description, plus.body.org_id],
      [250, 1250, 'credit', 'Promo', org.id],
    );
    const minus = await h().request('POST', `/admin/v1/orgs/${org.id}/credits`, {
      key: admin,
      body: { amount_cents: -2000 },
    });
    assert.equal(minus.status, 201);
    assert.equal(minus.body.balance_after_cents, -750);
    assert.equal(minus.body.kind, 'adjustment');
    assert.equal((await h().request('GET', '/v1/billing', { key: org.apiKey })).body.balance_cents, -750);
  });

  test('bad input is 400 and changes nothing; an unknown org is 404', async () => {
    const org = await h().createOrg({ balanceCents: 1000 });
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(121) },
      { name: 'a', balance_cents: -1 },
      { name: 'a', balance_cents: 1.5 },
      { name: 'a', plan: 'x' },
    ]) {
      assert.equal(
        (await h().request('POST', '/admin/v1/orgs', { key: admin, body })).status,
        400,
        JSON.stringify(body),
      );
    }
    for (const body of [{}, { amount_cents: 0 }, { amount_cents: 1.5 }, { amount_cents: 10, extra: 1 }]) {
      assert.equal(
        (await h().request('POST', `/admin/v1/orgs/${org.id}/credits`, { key: admin, body })).status,
        400,
        JSON.stringify(body),
      );
    }
    assert.equal(
      (await h().request('POST', '/admin/v1/orgs/999999999/credits', { key: admin, body: { amount_cents: 5 } })).status,
      404,
    );
    assert.equal((await h().request('GET', '/v1/billing', { key: org.apiKey })).body.balance_cents, 1000);
  });

  test('a wrong token, no token or a tenant key is a 401', async () => {
    const org = await h().createOrg();
    assert.equal((await h().request('GET', '/admin/v1/orgs')).status, 401);
    assert.equal((await h().request('GET', '/admin/v1/orgs', { key: org.apiKey })).status, 401);
    assert.equal(
      (await h().request('GET', '/admin/v1/orgs', { headers: { authorization: 'Bearer wrong' } })).status,
      401,
    );
    const res = await h().request('POST', `/admin/v1/orgs/${org.id}/credits`, {
      key: org.apiKey,
      body: { amount_cents: 100000 },
    });
    assert.equal(res.status, 401);
    assert.equal((await h().request('GET', '/v1/billing', { key: org.apiKey })).body.balance_cents, 1000);
  });
});

test('the admin API is absent (404) when THUNDERPHONE_ADMIN_TOKEN is unset', async () => {
  const h = await createApiHarness(testDialects()[0]!, { env: { THUNDERPHONE_ADMIN_TOKEN: '' } });
  try {
    if (h.config.adminToken !== undefined) return assert.fail('expected the admin token to be unset');
    assert.equal((await h.request('GET', '/admin/v1/orgs', { key: { admin: true } })).status, 404);
    assert.equal(
      (await h.request('POST', '/admin/v1/orgs', { key: { admin: true }, body: { name: 'x' } })).status,
      404,
    );
  } finally {
    await h.close();
  }
});
