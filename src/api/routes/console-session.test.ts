import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, createApiHarness, describeApi, type ApiHarness } from '../../../test/support/api-harness';
import { FakeClock } from '../../shared/clock';
import { testDialects } from '../../../test/support/dialects';

const H = { 'x-thunderphone-console': '1' };

/** Signs in through POST /console/session; returns the `name=value` cookie and the response. */
async function signIn(h: ApiHarness, key: string) {
  const res = await h.request('POST', '/console/session', { body: { key }, headers: H });
  const setCookie = String(res.headers['set-cookie'] ?? '');
  return { res, setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

describeApi('web console sessions', (h) => {
  test('an API key is exchanged for an httpOnly SameSite=Strict cookie that acts as the key; the key is not in it', async () => {
    const org = await h().createOrg({ name: 'Acme' });
    const { res, setCookie, cookie } = await signIn(h(), org.apiKey);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.kind, 'org');
    assert.deepEqual(res.body.org, { id: org.id, name: 'Acme' });
    assert.equal(res.body.api_key.key_prefix, org.apiKey.slice(0, 15));
    assert.deepEqual(res.body.features, { campaigns: true, realtime: false, operator: true });
    assert.match(setCookie, /^tp_console=tpcs_[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(!setCookie.includes(org.apiKey.slice(8)), 'the key never goes into the cookie');
    const rows = await h().deps.store.db.selectFrom('console_sessions').selectAll().execute();
    assert.ok(
      rows.every((r) => !cookie.includes(r.token_hash)),
      'only a hash of the token is stored',
    );

    const agents = await h().request('GET', '/v1/agents', { headers: { cookie } });
    assert.equal(agents.status, 200, agents.text);
    const me = await h().request('GET', '/console/session', { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.body.org.id, org.id);
  });

  test('state-changing requests with the cookie need the console header (CSRF); nothing changes without it', async () => {
    const org = await h().createOrg();
    const { cookie } = await signIn(h(), org.apiKey);
    const body = { name: 'Desk', prompt: 'Hi.', voice: 'en-US-James1' };
    const refused = await h().request('POST', '/v1/agents', { headers: { cookie }, body });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'csrf_header_missing');
    assert.deepEqual((await h().request('GET', '/v1/agents', { key: org.apiKey })).body, []);
    const ok = await h().request('POST', '/v1/agents', { headers: { cookie, ...H }, body });
    assert.equal(ok.status, 201, ok.text);
    // Sign-in itself needs the header too (no login CSRF from another site).
    const noHeader = await h().request('POST', '/console/session', { body: { key: org.apiKey } });
    assert.equal(noHeader.status, 403);
    assert.equal(noHeader.headers['set-cookie'], undefined);
  });

  test('a wrong key is 401 without a cookie; a session only sees its own org', async () => {
    const bad = await signIn(h(), 'sk_live_0000000000000000000000000000000000000000000000ff');
    assert.equal(bad.res.status, 401);
    assert.equal(bad.res.body.code, 'invalid_api_key');
    assert.equal(bad.setCookie, '');
    const garbage = await signIn(h(), 'not-a-key');
    assert.equal(garbage.res.status, 401);

    const a = await h().createOrg({ name: 'A' });
    const b = await h().createOrg({ name: 'B' });
    await h().request('POST', '/v1/agents', {
      key: b.apiKey,
      body: { name: 'B agent', prompt: 'Hi.', voice: 'en-US-James1' },
    });
    const { cookie } = await signIn(h(), a.apiKey);
    const list = await h().request('GET', '/v1/agents', { headers: { cookie } });
    assert.deepEqual(list.body, []);
  });

  test('revoking the key ends its sessions at once with session_key_revoked; sign-out ends the session', async () => {
    const org = await h().createOrg();
    const { cookie } = await signIn(h(), org.apiKey);
    const keys = await h().request('GET', '/v1/developer/api-keys', { headers: { cookie } });
    const del = await h().request('DELETE', `/v1/developer/api-keys/${keys.body[0].id}`, { headers: { cookie, ...H } });
    assert.equal(del.status, 204);
    for (const url of ['/v1/agents', '/v1/calls']) {
      const res = await h().request('GET', url, { headers: { cookie } });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'session_key_revoked', 'every request of the tab gives the same reason');
    }
    const me = await h().request('GET', '/console/session', { headers: { cookie } });
    assert.equal(me.status, 401);
    assert.equal(me.body.code, 'session_key_revoked');
    assert.match(String(me.headers['set-cookie']), /Max-Age=0/);

    const other = await h().createOrg();
    const s2 = await signIn(h(), other.apiKey);
    const out = await h().request('DELETE', '/console/session', { headers: { cookie: s2.cookie, ...H } });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), /^tp_console=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    const after = await h().request('GET', '/v1/agents', { headers: { cookie: s2.cookie } });
    assert.equal(after.status, 401);
    assert.equal(after.body.code, 'session_expired');
  });

  test('the admin token opens an operator session for /admin/v1 only', async () => {
    const { res, cookie } = await signIn(h(), ADMIN_TOKEN);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.kind, 'operator');
    assert.equal(res.body.org, null);
    const orgs = await h().request('GET', '/admin/v1/orgs', { headers: { cookie } });
    assert.equal(orgs.status, 200, orgs.text);
    assert.ok(Array.isArray(orgs.body));
    const noCsrf = await h().request('POST', '/admin/v1/orgs', { headers: { cookie }, body: { name: 'X' } });
    assert.equal(noCsrf.status, 403, 'an operator cookie without the header is not accepted');
    assert.equal(noCsrf.body.code, 'csrf_header_missing');
    const created = await h().request('POST', '/admin/v1/orgs', { headers: { cookie, ...H }, body: { name: 'New' } });
    assert.equal(created.status, 201, created.text);
    const tenant = await h().request('GET', '/v1/agents', { headers: { cookie } });
    assert.equal(tenant.status, 401, 'an operator session is no org key');
    // An org session does not open the admin API.
    const org = await h().createOrg();
    const s = await signIn(h(), org.apiKey);
    assert.equal((await h().request('GET', '/admin/v1/orgs', { headers: { cookie: s.cookie } })).status, 401);
  });
});

for (const dialect of testDialects().slice(0, 1)) {
  test(`a console session expires 12 h after its last use [${dialect}]`, async () => {
    const clock = new FakeClock('2026-03-01T09:00:00.000Z');
    const h = await createApiHarness(dialect, { clock });
    try {
      const org = await h.createOrg();
      const { cookie } = await signIn(h, org.apiKey);
      clock.advance(11 * 3600_000);
      assert.equal((await h.request('GET', '/v1/agents', { headers: { cookie } })).status, 200, 'used: renewed');
      clock.advance(11 * 3600_000);
      assert.equal((await h.request('GET', '/v1/agents', { headers: { cookie } })).status, 200);
      clock.advance(12 * 3600_000 + 1);
      const res = await h.request('GET', '/v1/agents', { headers: { cookie } });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'session_expired');
    } finally {
      await h.close();
    }
  });
}
