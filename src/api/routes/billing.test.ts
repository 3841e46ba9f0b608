import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';
import { applyLedgerEntry } from '../../billing/ledger';
import { CallRepo } from '../../calls/call-repo';
import { finalizeCall } from '../../calls/finalize-call';
import { seedOutboundCall } from '../../calls/testing/call-fixtures';

describeApi('billing API', (h) => {
  test('GET /v1/billing shows the balance in cents and as a USD string', async () => {
    const org = await h().createOrg({ balanceCents: 125000 });
    const res = await h().request('GET', '/v1/billing', { key: org.apiKey });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      balance_cents: 125000,
      balance_usd: '1250.00',
      held_cents: 0,
      available_cents: 125000,
      currency: 'usd',
      auto_reload_enabled: false,
      auto_reload_minimum_cents: 0,
      auto_reload_amount_cents: 0,
      auto_reload_monthly_limit_cents: null,
      has_payment_method: false,
    });
    await applyLedgerEntry(h().deps.store.db, {
      orgId: org.id,
      amountCents: -125205,
      kind: 'call_charge',
      description: 'x',
      nowIso: new Date().toISOString(),
    });
    assert.equal((await h().request('GET', '/v1/billing', { key: org.apiKey })).body.balance_usd, '-2.05');
  });

  test('a running call holds its first minute: held_cents and available_cents, back to 0 once it is billed', async () => {
    const org = await h().createOrg({ balanceCents: 100 });
    const { db, dialect } = h().deps.store;
    const clock = h().deps.clock;
    const call = await seedOutboundCall(db, clock, org.id, { product: 'bolt' });
    const repo = new CallRepo(db, dialect, clock);
    assert.equal((await repo.admit(call.id, 'srv', 10, h().config.rateCentsPerMinute)).kind, 'admitted');
    const during = (await h().request('GET', '/v1/billing', { key: org.apiKey })).body;
    assert.deepEqual([during.balance_cents, during.held_cents, during.available_cents], [100, 5, 95]);
    await repo.markAnswered(call.id);
    await finalizeCall(
      { db, clock, rateCentsPerMinute: h().config.rateCentsPerMinute, events: h().deps.webhooks },
      { callId: call.id, endReason: 'caller_hangup' },
    );
    const after = (await h().request('GET', '/v1/billing', { key: org.apiKey })).body;
    assert.deepEqual([after.balance_cents, after.held_cents, after.available_cents], [95, 0, 95]);
  });

  test('PATCH stores auto-reload amounts; a null monthly limit stays null', async () => {
    const org = await h().createOrg();
    const res = await h().request('PATCH', '/v1/billing', {
      key: org.apiKey,
      body: { auto_reload_minimum_cents: 500, auto_reload_amount_cents: 2000, auto_reload_monthly_limit_cents: 10000 },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.auto_reload_amount_cents, 2000);
    assert.equal(res.body.auto_reload_monthly_limit_cents, 10000);
    const cleared = await h().request('PATCH', '/v1/billing', {
      key: org.apiKey,
      body: { auto_reload_monthly_limit_cents: null },
    });
    assert.equal(cleared.body.auto_reload_monthly_limit_cents, null);
    assert.equal(cleared.body.auto_reload_minimum_cents, 500);
  });

  test('enabling auto-reload without a payment method is a 422 payment_method_required; bad values are 400', async () => {
    const org = await h().createOrg();
    const r422 = await h().request('PATCH', '/v1/billing', {
      key: org.apiKey,
      body: { auto_reload_enabled: true, auto_reload_minimum_cents: 500, auto_reload_amount_cents: 2000 },
    });
    assert.equal(r422.status, 422);
    assert.equal(r422.body.code, 'payment_method_required');
    assert.equal(typeof r422.body.detail, 'string');
    const missing = await h().request('PATCH', '/v1/billing', { key: org.apiKey, body: { auto_reload_enabled: true } });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.auto_reload_minimum_cents && missing.body.auto_reload_amount_cents);
    for (const body of [
      { auto_reload_minimum_cents: -1 },
      { auto_reload_amount_cents: 0 },
      { auto_reload_monthly_limit_cents: -5 },
      { balance_cents: 1 },
    ]) {
      assert.equal(
        (await h().request('PATCH', '/v1/billing', { key: org.apiKey, body })).status,
        400,
        JSON.stringify(body),
      );
    }
    const after = (await h().request('GET', '/v1/billing', { key: org.apiKey })).body;
    assert.equal(after.auto_reload_enabled, false);
    assert.equal(after.auto_reload_minimum_cents, 0);
  });

  test('transactions: every balance change is a row, newest first, paginated with total', async () => {
    const org = await h().createOrg({ balanceCents: 1000 });
    const db = h().deps.store.db;
    const now = new Date().toISOString();
    await applyLedgerEntry(db, {
      orgId: org.id,
      amountCents: -30,
      kind: 'call_charge',
      description: 'Call 1',
      nowIso: now,
    });
    await applyLedgerEntry(db, { orgId: org.id, amountCents: 500, kind: 'credit', description: 'Gift', nowIso: now });
    const all = await h().request('GET', '/v1/billing/transactions', { key: org.apiKey });
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 3);
    assert.deepEqual(
      all.body.results.map((r: any) => [r.amount_cents, r.balance_after_cents, r.kind]),
      [
        [500, 1470, 'credit'],
        [-30, 970, 'call_charge'],
        [1000, 1000, 'credit'],
      ],
    );
    assert.deepEqual(Object.keys(all.body.results[0]).sort(), [
      'amount_cents',
      'balance_after_cents',
      'call_id',
      'created_at',
      'description',
      'id',
      'kind',
    ]);
    const page = await h().request('GET', '/v1/billing/transactions?limit=1&offset=1', { key: org.apiKey });
    assert.deepEqual([page.body.total, page.body.limit, page.body.offset, page.body.results.length], [3, 1, 1, 1]);
    assert.equal(page.body.results[0].amount_cents, -30);
    assert.equal((await h().request('GET', '/v1/billing/transactions?limit=0', { key: org.apiKey })).status, 400);
    assert.equal((await h().request('GET', '/v1/billing/transactions?offset=-1', { key: org.apiKey })).status, 400);
  });

  test('top-up answers that no payment provider is configured and changes nothing', async () => {
    const org = await h().createOrg({ balanceCents: 100 });
    const res = await h().request('POST', '/v1/billing/top-up', { key: org.apiKey, body: { amount_cents: 1000 } });
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'payment_provider_not_configured');
    assert.match(res.body.detail, /payment provider/);
    assert.equal((await h().request('GET', '/v1/billing', { key: org.apiKey })).body.balance_cents, 100);
  });

  test('tenants see only their own balance and ledger', async () => {
    const a = await h().createOrg({ balanceCents: 111 });
    const b = await h().createOrg({ balanceCents: 222 });
    assert.equal((await h().request('GET', '/v1/billing', { key: a.apiKey })).body.balance_cents, 111);
    const tx = (await h().request('GET', '/v1/billing/transactions', { key: a.apiKey })).body;
    assert.deepEqual(
      tx.results.map((r: any) => r.amount_cents),
      [111],
    );
    await h().request('PATCH', '/v1/billing', { key: a.apiKey, body: { auto_reload_amount_cents: 999 } });
    assert.equal((await h().request('GET', '/v1/billing', { key: b.apiKey })).body.auto_reload_amount_cents, 0);
    assert.equal((await h().request('GET', '/v1/billing')).status, 401);
  });
});
