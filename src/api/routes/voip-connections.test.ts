import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';
import { TRUNK, createTrunk } from '../../../test/support/numbers-flow';
import { BAD_CREDENTIALS, ScriptedTrunkVerifier, UNREACHABLE } from '../../numbers/testing/scripted-trunk-verifier';

const verifier = new ScriptedTrunkVerifier();
verifier.byPassword.set('wrong', BAD_CREDENTIALS);
verifier.byPassword.set('nohost', UNREACHABLE);

describeApi(
  'VoIP connections API',
  (h) => {
    test('test (manual) runs the trunk check with the given settings and returns evidence', async () => {
      const org = await h().createOrg();
      const res = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: { ...TRUNK, sip_config: { host: 'SIP.Example.com' } },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'pass');
      assert.deepEqual(res.body.checks, {
        credentials_valid: true,
        inbound_reachable: true,
        outbound_authorized: true,
      });
      assert.match(res.body.verification_evidence_id, /^vev_/);
      assert.equal(res.body.suggested_connection_name, 'SIP trunk: sip.example.com');
      assert.deepEqual(verifier.requests.at(-1), {
        host: 'sip.example.com',
        port: 5060,
        transport: 'udp',
        username: 'alice',
        password: 'secret',
      });
    });

    test('failing checks answer status fail, and that evidence cannot create a connection', async () => {
      const org = await h().createOrg();
      for (const [password, checks] of [
        ['wrong', { credentials_valid: false, inbound_reachable: true, outbound_authorized: false }],
        ['nohost', { credentials_valid: false, inbound_reachable: false, outbound_authorized: false }],
      ] as const) {
        const body = { ...TRUNK, credentials: { username: 'alice', password } };
        const res = await h().request('POST', '/v1/voip-connections/test', { key: org.apiKey, body });
        assert.equal(res.body.status, 'fail');
        assert.deepEqual(res.body.checks, checks);
        assert.match(res.body.detail, /scripted/);
        const created = await h().request('POST', '/v1/voip-connections', {
          key: org.apiKey,
          body: { ...body, name: 'x', verification_evidence_id: res.body.verification_evidence_id },
        });
        assert.equal(created.status, 400);
        assert.match(created.body.verification_evidence_id[0], /did not pass/);
      }
      assert.equal((await h().request('GET', '/v1/voip-connections', { key: org.apiKey })).body.length, 0);
    });

    test('bad bodies get field messages and run no check', async () => {
      const org = await h().createOrg();
      const before = verifier.requests.length;
      const res = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: {
          provider: 'manual',
          credentials: { username: '', extra: 1 },
          sip_config: { host: 'bad host!', port: 70000, transport: 'tls' },
          other: true,
        },
      });
      assert.equal(res.status, 400);
      for (const f of [
        'credentials.username',
        'credentials.password',
        'credentials.extra',
        'sip_config.host',
        'sip_config.port',
        'sip_config.transport',
        'other',
      ])
        assert.ok(res.body[f], `${f}: ${res.text}`);
      const bad = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: { provider: 'acme', credentials: {} },
      });
      assert.equal(bad.status, 400);
      assert.match(bad.body.provider[0], /not a valid choice/);
      assert.equal(verifier.requests.length, before);
    });

    test('sip_config.inbound_allowed_addresses: IPv4/IPv6 CIDRs validated with field errors, saved and returned', async () => {
      const org = await h().createOrg();
      const bad = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: {
          ...TRUNK,
          sip_config: {
            ...TRUNK.sip_config,
            inbound_allowed_addresses: ['10.0.0.0/33', 'not-an-ip', '2001:db8::/129'],
            inbound_auth: 'basic',
          },
        },
      });
      assert.equal(bad.status, 400, bad.text);
      for (const f of ['0', '1', '2']) assert.match(bad.body[`sip_config.inbound_allowed_addresses.${f}`][0], /CIDR/);
      assert.match(bad.body['sip_config.inbound_auth']?.[0] ?? bad.text, /"none" or "digest"/);
      const notList = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: { ...TRUNK, sip_config: { ...TRUNK.sip_config, inbound_allowed_addresses: '10.0.0.0/8' } },
      });
      assert.match(notList.body['sip_config.inbound_allowed_addresses'][0], /list/);
      const allowed = ['203.0.113.0/24', '2001:DB8::/32', '198.51.100.7'];
      const conn = await createTrunk(h(), org, {
        ...TRUNK,
        sip_config: { ...TRUNK.sip_config, inbound_allowed_addresses: allowed, inbound_auth: 'digest' },
      });
      assert.equal(conn.sip_config.inbound_auth, 'digest');
      assert.equal(JSON.stringify(conn).includes('secret'), false, 'the password is never returned');
      const expected = ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32'];
      assert.deepEqual(conn.sip_config.inbound_allowed_addresses, expected);
      const got = await h().request('GET', `/v1/voip-connections/${conn.id}`, { key: org.apiKey });
      assert.deepEqual(got.body.sip_config.inbound_allowed_addresses, expected);
      // Changing who may call in needs no new trunk test: the evidence does not cover it.
      const ev = (await h().request('POST', '/v1/voip-connections/test', { key: org.apiKey, body: TRUNK })).body;
      const patched = await h().request('PATCH', `/v1/voip-connections/${conn.id}`, {
        key: org.apiKey,
        body: {
          sip_config: { ...TRUNK.sip_config, inbound_allowed_addresses: ['::1'] },
          verification_evidence_id: ev.verification_evidence_id,
        },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual(patched.body.sip_config.inbound_allowed_addresses, ['::1/128']);
    });

    test('create needs evidence of the same org, the same settings, not expired', async () => {
      const org = await h().createOrg();
      const other = await h().createOrg();
      const test1 = (await h().request('POST', '/v1/voip-connections/test', { key: org.apiKey, body: TRUNK })).body;
      const base = { name: 'Trunk', setup_method: 'manual', ...TRUNK };
      const attempts: [unknown, RegExp][] = [
        [{ ...base }, /Required/],
        [{ ...base, verification_evidence_id: 'vev_nope' }, /Unknown/],
        [
          {
            ...base,
            credentials: { username: 'alice', password: 'other' },
            verification_evidence_id: test1.verification_evidence_id,
          },
          /other credentials/,
        ],
        [
          { ...base, sip_config: { host: '127.0.0.2' }, verification_evidence_id: test1.verification_evidence_id },
          /other credentials or sip_config/,
        ],
      ];
      for (const [body, re] of attempts) {
        const res = await h().request('POST', '/v1/voip-connections', { key: org.apiKey, body });
        assert.equal(res.status, 400, res.text);
        assert.match(res.body.verification_evidence_id[0], re);
      }
      // Another org cannot use this org's evidence.
      const stolen = await h().request('POST', '/v1/voip-connections', {
        key: other.apiKey,
        body: { ...base, verification_evidence_id: test1.verification_evidence_id },
      });
      assert.match(stolen.body.verification_evidence_id[0], /Unknown/);
      await h()
        .deps.store.db.updateTable('voip_verifications')
        .set({ expires_at: '2000-01-01T00:00:00.000Z' })
        .where('id', '=', test1.verification_evidence_id)
        .execute();
      const expired = await h().request('POST', '/v1/voip-connections', {
        key: org.apiKey,
        body: { ...base, verification_evidence_id: test1.verification_evidence_id },
      });
      assert.match(expired.body.verification_evidence_id[0], /expired/);
    });

    test('credentials are encrypted at rest and never returned; sip_config is shown redacted', async () => {
      const org = await h().createOrg();
      const conn = await createTrunk(h(), org);
      assert.equal(conn.status, 'connected');
      assert.equal(conn.provider, 'manual');
      assert.equal(conn.setup_method, 'manual');
      assert.equal(conn.numbers_imported, 0);
      assert.equal(conn.inferred_name, false);
      assert.deepEqual(conn.sip_config, { host: '127.0.0.1', port: 5060, transport: 'udp' });
      assert.equal('credentials' in conn, false);
      const texts = [
        (await h().request('GET', '/v1/voip-connections', { key: org.apiKey })).text,
        (await h().request('GET', `/v1/voip-connections/${conn.id}`, { key: org.apiKey })).text,
        (await h().request('PATCH', `/v1/voip-connections/${conn.id}`, { key: org.apiKey, body: { name: 'Renamed' } }))
          .text,
      ];
      for (const t of texts) assert.equal(t.includes('secret'), false, t);
      const row = await h()
        .deps.store.db.selectFrom('voip_connections')
        .selectAll()
        .where('id', '=', conn.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.credentials_enc.includes('secret'), false);
      assert.deepEqual(h().deps.secretBox.openJson(row.credentials_enc), { username: 'alice', password: 'secret' });
      const ev = await h()
        .deps.store.db.selectFrom('voip_verifications')
        .select('fingerprint')
        .where('org_id', '=', org.id)
        .execute();
      for (const e of ev) assert.equal(e.fingerprint.includes('secret'), false);
    });

    test('PATCH renames; rotating credentials needs fresh evidence for the new settings', async () => {
      const org = await h().createOrg();
      const conn = await createTrunk(h(), org);
      const renamed = await h().request('PATCH', `/v1/voip-connections/${conn.id}`, {
        key: org.apiKey,
        body: { name: 'Office PBX' },
      });
      assert.equal(renamed.status, 200);
      assert.equal(renamed.body.name, 'Office PBX');
      const newCreds = { username: 'bob', password: 'n3w' };
      const noEvidence = await h().request('PATCH', `/v1/voip-connections/${conn.id}`, {
        key: org.apiKey,
        body: { credentials: newCreds },
      });
      assert.equal(noEvidence.status, 400);
      const oldEvidence = (await h().request('POST', '/v1/voip-connections/test', { key: org.apiKey, body: TRUNK }))
        .body.verification_evidence_id;
      const wrong = await h().request('PATCH', `/v1/voip-connections/${conn.id}`, {
        key: org.apiKey,
        body: { credentials: newCreds, verification_evidence_id: oldEvidence },
      });
      assert.equal(wrong.status, 400);
      const fresh = (
        await h().request('POST', '/v1/voip-connections/test', {
          key: org.apiKey,
          body: { ...TRUNK, credentials: newCreds },
        })
      ).body.verification_evidence_id;
      const ok = await h().request('PATCH', `/v1/voip-connections/${conn.id}`, {
        key: org.apiKey,
        body: { credentials: newCreds, verification_evidence_id: fresh },
      });
      assert.equal(ok.status, 200, ok.text);
      const row = await h()
        .deps.store.db.selectFrom('voip_connections')
        .select('credentials_enc')
        .where('id', '=', conn.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(h().deps.secretBox.openJson(row.credentials_enc), newCreds);
      const unknown = await h().request('PATCH', `/v1/voip-connections/${conn.id}`, {
        key: org.apiKey,
        body: { status: 'connected' },
      });
      assert.equal(unknown.status, 400);
    });

    test('other providers are stored (pending) but their test reports fail: only manual is checked here', async () => {
      const org = await h().createOrg();
      const body = {
        provider: 'telnyx',
        credentials: { apiKey: 'KEY123', connectionId: '123456' },
        sip_config: { domain: 'acme.sip.telnyx.com' },
      };
      const before = verifier.requests.length;
      const res = await h().request('POST', '/v1/voip-connections/test', { key: org.apiKey, body });
      assert.equal(res.body.status, 'fail');
      assert.match(res.body.detail, /only "manual"/);
      assert.equal(verifier.requests.length, before);
      const created = await h().request('POST', '/v1/voip-connections', {
        key: org.apiKey,
        body: { ...body, setup_method: 'api_key' },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.inferred_name, true);
      assert.deepEqual(created.body.sip_config, { domain: 'acme.sip.telnyx.com' });
      assert.equal(created.text.includes('KEY123'), false);
    });

    test('import-numbers: voip numbers, unverified; duplicates and held numbers are refused', async () => {
      const org = await h().createOrg();
      const other = await h().createOrg();
      const conn = await createTrunk(h(), org);
      const url = `/v1/voip-connections/${conn.id}/import-numbers`;
      const res = await h().request('POST', url, {
        key: org.apiKey,
        body: { numbers: ['+15551230001', '+15551230002'] },
      });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(
        res.body.map((n: any) => [
          n.number,
          n.source,
          n.status,
          n.voip_verification_status,
          n.voip_connection_id,
          n.outbound_eligible,
        ]),
        [
          ['+15551230001', 'voip', 'provisioning', 'unverified', conn.id, false],
          ['+15551230002', 'voip', 'provisioning', 'unverified', conn.id, false],
        ],
      );
      assert.equal(
        (await h().request('GET', `/v1/voip-connections/${conn.id}`, { key: org.apiKey })).body.numbers_imported,
        2,
      );
      const dup = await h().request('POST', url, {
        key: org.apiKey,
        body: { numbers: ['+15551230003', '+15551230003'] },
      });
      assert.equal(dup.status, 400);
      assert.match(dup.body['numbers.1'][0], /Duplicate/);
      const invalid = await h().request('POST', url, { key: org.apiKey, body: { numbers: ['5551230003'] } });
      assert.equal(invalid.status, 400);
      assert.ok(invalid.body['numbers.0']);
      const again = await h().request('POST', url, { key: org.apiKey, body: { numbers: ['+15551230002'] } });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'number_already_imported');
      const otherConn = await createTrunk(h(), other);
      const taken = await h().request('POST', `/v1/voip-connections/${otherConn.id}/import-numbers`, {
        key: other.apiKey,
        body: { numbers: ['+15551230004', '+15551230001'] },
      });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.code, 'number_unavailable');
      const demo = await h().request('POST', url, { key: org.apiKey, body: { numbers: ['+15550009999'] } });
      assert.equal(demo.status, 409);
      // Nothing of the refused requests was stored.
      assert.equal((await h().request('GET', '/v1/phone-numbers', { key: org.apiKey })).body.length, 2);
      assert.equal((await h().request('GET', '/v1/phone-numbers', { key: other.apiKey })).body.length, 0);
    });

    test('available-numbers: a manual trunk cannot list numbers (400 provider_cannot_list_numbers)', async () => {
      const org = await h().createOrg();
      const conn = await createTrunk(h(), org);
      const res = await h().request('GET', `/v1/voip-connections/${conn.id}/available-numbers`, { key: org.apiKey });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'provider_cannot_list_numbers');
      assert.match(res.body.detail, /import-numbers/);
    });

    test('DELETE removes the connection and releases its numbers', async () => {
      const org = await h().createOrg();
      const conn = await createTrunk(h(), org);
      const imported = await h().request('POST', `/v1/voip-connections/${conn.id}/import-numbers`, {
        key: org.apiKey,
        body: { numbers: ['+15551239999'] },
      });
      const del = await h().request('DELETE', `/v1/voip-connections/${conn.id}`, { key: org.apiKey });
      assert.equal(del.status, 204);
      assert.equal((await h().request('GET', `/v1/voip-connections/${conn.id}`, { key: org.apiKey })).status, 404);
      const n = await h().request('GET', `/v1/phone-numbers/${imported.body[0].id}`, { key: org.apiKey });
      assert.equal(n.body.status, 'released');
      assert.equal((await h().request('DELETE', `/v1/voip-connections/${conn.id}`, { key: org.apiKey })).status, 404);
    });

    test('tenant isolation: another org gets 404 on every connection route; no key is 401', async () => {
      const org = await h().createOrg();
      const other = await h().createOrg();
      const conn = await createTrunk(h(), org);
      const base = `/v1/voip-connections/${conn.id}`;
      for (const [method, url, body] of [
        ['GET', base, undefined],
        ['PATCH', base, { name: 'mine' }],
        ['DELETE', base, undefined],
        ['POST', `${base}/import-numbers`, { numbers: ['+15551238888'] }],
        ['GET', `${base}/available-numbers`, undefined],
      ] as const) {
        const res = await h().request(method, url, { key: other.apiKey, body });
        assert.equal(res.status, 404, `${method} ${url}: ${res.text}`);
        assert.equal(res.body.code, 'voip_connection_not_found');
      }
      assert.deepEqual((await h().request('GET', '/v1/voip-connections', { key: other.apiKey })).body, []);
      assert.equal((await h().request('GET', '/v1/voip-connections')).status, 401);
      assert.equal((await h().request('POST', '/v1/voip-connections/test', { body: TRUNK })).status, 401);
      assert.equal((await h().request('GET', base, { key: org.apiKey })).body.name, 'My trunk');
    });
  },
  { env: { DEMO_NUMBERS: '+15550009999' }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);
