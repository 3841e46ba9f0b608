import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiHarness, describeApi, type ApiHarness } from '../support/api-harness';
import { ScriptedTrunkVerifier } from '../../src/numbers/testing/scripted-trunk-verifier';
import { startSipp, freePort } from '../sipp/sipp-harness';
import { EphemeralSipTrunkVerifier } from '../../src/app/ephemeral-sip-trunk-verifier';
import { silentLogger } from '../../src/shared/log';

const verifier = new ScriptedTrunkVerifier();
const dialed: { callId: number }[] = [];

/** The README's curl flow, in order, through HTTP: only the SIP trunk check is scripted. */
describeApi(
  'README flow: admin org → agent → manual trunk → import → verify → POST /v1/call',
  (h) => {
    test('ends with 201 initiated and the calls.dial job delivered to a worker', async () => {
      await h().deps.queue.work<{ callId: number }>('calls.dial', async (job) => void dialed.push(job.payload));
      await h().deps.queue.start();
      const admin = await h().request('POST', '/admin/v1/orgs', {
        key: { admin: true },
        body: { name: 'Acme', balance_cents: 5000, trial: false },
      });
      assert.equal(admin.status, 201, admin.text);
      const key: string = admin.body.api_key;
      assert.match(key, /^sk_live_/);
      const billing = await h().request('GET', '/v1/billing', { key });
      assert.equal(billing.body.balance_cents, 5000);

      const agent = await h().request('POST', '/v1/agents', {
        key,
        body: { name: 'Front desk', prompt: 'You call {{name}}.', voice: 'en-US-James1', product: 'spark' },
      });
      assert.equal(agent.status, 201, agent.text);

      const trunk = {
        provider: 'manual',
        credentials: { username: 'alice', password: 'secret' },
        sip_config: { host: 'sip.mytrunk.example', port: 5060, transport: 'udp' },
      };
      const tested = await h().request('POST', '/v1/voip-connections/test', { key, body: trunk });
      assert.equal(tested.body.status, 'pass', tested.text);
      const conn = await h().request('POST', '/v1/voip-connections', {
        key,
        body: {
          name: 'My trunk',
          setup_method: 'manual',
          ...trunk,
          verification_evidence_id: tested.body.verification_evidence_id,
        },
      });
      assert.equal(conn.status, 201, conn.text);
      assert.equal(conn.body.status, 'connected');

      const imported = await h().request('POST', `/v1/voip-connections/${conn.body.id}/import-numbers`, {
        key,
        body: { numbers: ['+15551230001'] },
      });
      assert.equal(imported.status, 201, imported.text);
      assert.equal(imported.body[0].voip_verification_status, 'unverified');
      const verified = await h().request('POST', `/v1/phone-numbers/${imported.body[0].id}/verify-voip`, { key });
      assert.deepEqual([verified.body.voip_verification_status, verified.body.status], ['verified', 'active']);

      const call = await h().request('POST', '/v1/call', {
        key,
        body: {
          from_number: '+15551230001',
          to_number: '+15559876543',
          agent_id: agent.body.id,
          variables: { name: 'Ada' },
        },
      });
      assert.equal(call.status, 201, call.text);
      assert.equal(call.body.status, 'initiated');
      for (let i = 0; i < 200 && !dialed.some((p) => p.callId === call.body.call_id); i++)
        await new Promise((r) => setTimeout(r, 25));
      assert.ok(
        dialed.some((p) => p.callId === call.body.call_id),
        'the dial job reached the worker',
      );
      const polled = await h().request('GET', `/v1/calls/${call.body.call_id}`, { key });
      assert.deepEqual(
        [polled.body.status, polled.body.direction, polled.body.from_number],
        ['in_progress', 'outbound', '+15551230001'],
      );
      // The verifier saw the trunk exactly as configured.
      assert.deepEqual(verifier.requests[0], {
        host: 'sip.mytrunk.example',
        port: 5060,
        transport: 'udp',
        username: 'alice',
        password: 'secret',
      });
    });
  },
  { customize: (deps) => void (deps.trunkVerifier = verifier) },
);

/** The same endpoints with the REAL verifier (build-deps' SIP user agent) against sipp. */
describe('VoIP test + verify-voip with the real SIP verifier against sipp [sqlite: SIP does not depend on the dialect]', () => {
  let harness: ApiHarness | undefined;
  const h = (): ApiHarness => {
    if (!harness) throw new Error('no harness');
    return harness;
  };
  before(async () => {
    harness = await createApiHarness('sqlite', {
      env: { SIP_BIND: '127.0.0.1', SIP_PUBLIC_ADDRESS: '127.0.0.1' },
      // The real verifier, with a shorter budget so the dead-trunk case fails fast.
      customize: (deps) =>
        void (deps.trunkVerifier = new EphemeralSipTrunkVerifier(deps.config, silentLogger, { timeoutMs: 1500 })),
    });
  });
  after(async () => harness?.close());

  test('sipp trunk accepting alice/secret passes; a dead port fails verify-voip with a reason', async () => {
    const org = await h().createOrg();
    const sipp = await startSipp('uas-registrar.xml');
    let evidence: string;
    try {
      const res = await h().request('POST', '/v1/voip-connections/test', {
        key: org.apiKey,
        body: {
          provider: 'manual',
          credentials: { username: 'alice', password: 'secret' },
          sip_config: { host: '127.0.0.1', port: sipp.port },
        },
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.status, 'pass', res.text);
      assert.deepEqual(res.body.checks, {
        credentials_valid: true,
        inbound_reachable: true,
        outbound_authorized: true,
      });
      assert.equal((await sipp.done).code, 0);
      assert.match(sipp.messages(), /Authorization: Digest username="alice"/);
      evidence = res.body.verification_evidence_id;
    } finally {
      sipp.kill();
    }
    const conn = await h().request('POST', '/v1/voip-connections', {
      key: org.apiKey,
      body: {
        name: 'sipp',
        provider: 'manual',
        setup_method: 'manual',
        credentials: { username: 'alice', password: 'secret' },
        sip_config: { host: '127.0.0.1', port: sipp.port },
        verification_evidence_id: evidence,
      },
    });
    assert.equal(conn.status, 201, conn.text);
    // The trunk goes away: verify-voip now fails, with the reason.
    const dead = await freePort();
    await h()
      .deps.store.db.updateTable('voip_connections')
      .set({ sip_config: JSON.stringify({ host: '127.0.0.1', port: dead, transport: 'udp' }) })
      .where('id', '=', conn.body.id)
      .execute();
    const imported = await h().request('POST', `/v1/voip-connections/${conn.body.id}/import-numbers`, {
      key: org.apiKey,
      body: { numbers: ['+15551230002'] },
    });
    const verify = await h().request('POST', `/v1/phone-numbers/${imported.body[0].id}/verify-voip`, {
      key: org.apiKey,
    });
    assert.equal(verify.status, 200);
    assert.equal(verify.body.voip_verification_status, 'failed');
    assert.match(verify.body.voip_verification_error, /did not answer/);
  });
});
