import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, type ApiHarness, type TestOrg } from '../../../test/support/api-harness';
import { createAgent, verifiedNumber } from '../../../test/support/numbers-flow';
import { ScriptedTrunkVerifier } from '../../numbers/testing/scripted-trunk-verifier';

/*
 * The campaigns API (thunderphone-api.md §3.19) and the outbound gate (§3.11), in-process on both
 * databases. The job queue is not started here: nothing dials (the dispatcher has its own tests).
 */
const verifier = new ScriptedTrunkVerifier();
let seq = 0;
const nextNumber = () => `+1555333${String(1000 + ++seq)}`;

interface Setup {
  org: TestOrg;
  from: string;
  agent: any;
}

async function setup(h: ApiHarness, o: { balanceCents?: number; attested?: boolean } = {}): Promise<Setup> {
  const org = await h.createOrg({ balanceCents: o.balanceCents ?? 1000 });
  const from = nextNumber();
  await verifiedNumber(h, org, from);
  const agent = await createAgent(h, org, { outbound_speak_order: 'caller_first' });
  if (o.attested !== false) {
    const r = await h.request('POST', `/admin/v1/orgs/${org.id}/outbound-attestation`, {
      key: { admin: true },
      body: { attested_by: 'ops@example.com' },
    });
    assert.equal(r.status, 201, r.text);
  }
  return { org, from, agent };
}

const campaignBody = (s: Setup, extra: Record<string, unknown> = {}) => ({
  name: 'Appointment reminders',
  agent: s.agent.id,
  from_number: s.from,
  timezone: 'America/Los_Angeles',
  daily_window_start: '09:00',
  daily_window_end: '17:00',
  max_attempts: 1,
  ...extra,
});

async function newCampaign(h: ApiHarness, s: Setup, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await h.request('POST', '/v1/campaigns', { key: s.org.apiKey, body: campaignBody(s, extra) });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describeApi(
  'campaigns API',
  (h) => {
    test('create → draft with a UUID public_id; list (envelope), get (total_count, contacts), patch, delete', async () => {
      const s = await setup(h());
      const c = await newCampaign(h(), s);
      assert.match(c.public_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(c.status, 'draft');
      assert.equal(c.agent, s.agent.id);
      assert.equal(c.total_count, 0);
      const list = await h().request('GET', '/v1/campaigns', { key: s.org.apiKey });
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.results.map((x: any) => x.public_id),
        [c.public_id],
      );
      assert.equal(list.body.total, 1);
      const got = await h().request('GET', `/v1/campaigns/${c.public_id}`, { key: s.org.apiKey });
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.contacts, []);
      const patched = await h().request('PATCH', `/v1/campaigns/${c.public_id}`, {
        key: s.org.apiKey,
        body: { name: 'Renamed', max_attempts: 3, daily_window_end: '24:00' },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.name, 'Renamed');
      assert.equal(patched.body.max_attempts, 3);
      assert.equal(patched.body.timezone, 'America/Los_Angeles');
      const del = await h().request('DELETE', `/v1/campaigns/${c.public_id}`, { key: s.org.apiKey });
      assert.equal(del.status, 204);
      const gone = await h().request('GET', `/v1/campaigns/${c.public_id}`, { key: s.org.apiKey });
      assert.equal(gone.status, 404);
      assert.equal(gone.body.code, 'campaign_not_found');
    });

    test('bad settings: every field message at once', async () => {
      const s = await setup(h());
      const r = await h().request('POST', '/v1/campaigns', {
        key: s.org.apiKey,
        body: { agent: 'x', from_number: '555', timezone: 'Mars/Olympus', daily_window_start: '9am', max_attempts: 0 },
      });
      assert.equal(r.status, 400);
      assert.deepEqual(Object.keys(r.body).sort(), [
        'agent',
        'daily_window_start',
        'from_number',
        'max_attempts',
        'name',
        'timezone',
      ]);
      const other = await setup(h());
      const foreign = await h().request('POST', '/v1/campaigns', {
        key: s.org.apiKey,
        body: campaignBody(s, { agent: other.agent.id, from_number: other.from }),
      });
      assert.equal(foreign.status, 400);
      assert.match(foreign.body.agent[0], /not found/);
      assert.match(foreign.body.from_number[0], /not registered/);
    });

    test('contacts (JSON): accepted, and a named error per bad row; other keys become variables', async () => {
      const s = await setup(h());
      const c = await newCampaign(h(), s);
      const r = await h().request('POST', `/v1/campaigns/${c.public_id}/contacts`, {
        key: s.org.apiKey,
        body: {
          contacts: [
            { phone_number: '+14155550101', first_name: 'Ada', visits: 3 },
            { phone_number: '4155550102' },
            { first_name: 'NoNumber' },
            'not a contact',
            { phone_number: '+14155550103', nested: { a: 1 } },
            Object.fromEntries([
              ['phone_number', '+14155550104'],
              ...Array.from({ length: 60 }, (_, i) => [`c${i}`, 'x']),
            ]),
            { phone_number: '+14155550101', first_name: 'Ada again' },
          ],
        },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.accepted, 2);
      assert.equal(r.body.rejected, 5);
      assert.deepEqual(r.body.errors, [
        { index: 1, error: 'invalid_phone_number' },
        { index: 2, error: 'missing_phone_number' },
        { index: 3, error: 'not_an_object' },
        { index: 4, error: 'invalid_variable_value' },
        { index: 5, error: 'too_many_columns' },
      ]);
      const got = await h().request('GET', `/v1/campaigns/${c.public_id}`, { key: s.org.apiKey });
      assert.equal(got.body.total_count, 2);
      assert.deepEqual(got.body.contacts[0].variables, { first_name: 'Ada', visits: '3' });
      assert.equal(got.body.contacts[0].status, 'queued');
    });

    test('contacts (CSV): header row, quoted cells, per-row errors with their row index', async () => {
      const s = await setup(h());
      const c = await newCampaign(h(), s);
      const csv =
        '\ufeffphone_number,first_name,note\n+14155550111,Ada,"likes ""tea"", early"\n+1415,Bob,\n,Cy,\n+14155550112,Di,x,EXTRA\n';
      const r = await h().request('POST', `/v1/campaigns/${c.public_id}/contacts`, {
        key: s.org.apiKey,
        body: csv,
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, {
        accepted: 1,
        rejected: 3,
        errors: [
          { index: 1, error: 'invalid_phone_number' },
          { index: 2, error: 'missing_phone_number' },
          { index: 3, error: 'too_many_columns' },
        ],
      });
      const list = await h().request('GET', `/v1/campaigns/${c.public_id}/contacts`, { key: s.org.apiKey });
      assert.deepEqual(list.body.results[0].variables, { first_name: 'Ada', note: 'likes "tea", early' });
      const noHeader = await h().request('POST', `/v1/campaigns/${c.public_id}/contacts`, {
        key: s.org.apiKey,
        body: 'number\n+14155550113\n',
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(noHeader.status, 400);
      assert.equal(noHeader.body.code, 'invalid_contacts_upload');
    });

    test('more than 5,000 contacts in one request: 413, nothing added', async () => {
      const s = await setup(h());
      const c = await newCampaign(h(), s);
      const contacts = Array.from({ length: 5001 }, (_, i) => ({ phone_number: `+1415${String(5000000 + i)}` }));
      const r = await h().request('POST', `/v1/campaigns/${c.public_id}/contacts`, {
        key: s.org.apiKey,
        body: { contacts },
      });
      assert.equal(r.status, 413);
      assert.equal(r.body.code, 'too_many_contacts');
      const ok = await h().request('POST', `/v1/campaigns/${c.public_id}/contacts`, {
        key: s.org.apiKey,
        body: { contacts: contacts.slice(0, 5000) },
      });
      assert.equal(ok.body.accepted, 5000);
      const stats = await h().request('GET', `/v1/campaigns/${c.public_id}/stats`, { key: s.org.apiKey });
      assert.equal(stats.body.total, 5000);
      assert.equal(stats.body.queued, 5000);
    });

    test('start: consent required (400), the outbound gate (403 naming it), a positive balance (402), contacts (409)', async () => {
      const s = await setup(h(), { attested: false });
      const c = await newCampaign(h(), s);
      const path = `/v1/campaigns/${c.public_id}`;
      await h().request('POST', `${path}/contacts`, {
        key: s.org.apiKey,
        body: { contacts: [{ phone_number: '+14155550121' }] },
      });
      const noConsent = await h().request('POST', `${path}/start`, { key: s.org.apiKey, body: {} });
      assert.equal(noConsent.status, 400);
      assert.equal(noConsent.body.code, 'consent_to_charge_required');
      const gate = await h().request('GET', '/v1/outbound-tcpa-confirmation', { key: s.org.apiKey });
      assert.deepEqual(gate.body, { confirmed: false, attested_by: null, attested_at: null, attestation_text: null });
      const blocked = await h().request('POST', `${path}/start`, {
        key: s.org.apiKey,
        body: { consent_to_charge: true },
      });
      assert.equal(blocked.status, 403);
      assert.equal(blocked.body.code, 'outbound_attestation_missing');
      assert.match(blocked.body.detail, /attestation/);
      // The operator attests (an API key cannot: the admin route refuses it).
      const self = await h().request('POST', `/admin/v1/orgs/${s.org.id}/outbound-attestation`, {
        key: s.org.apiKey,
        body: { attested_by: 'me' },
      });
      assert.equal(self.status, 401);
      await h().request('POST', `/admin/v1/orgs/${s.org.id}/outbound-attestation`, {
        key: { admin: true },
        body: { attested_by: 'Grace (compliance)', attestation_text: 'We have consent.' },
      });
      const confirmed = await h().request('GET', '/v1/outbound-tcpa-confirmation', { key: s.org.apiKey });
      assert.equal(confirmed.body.confirmed, true);
      assert.equal(confirmed.body.attested_by, 'Grace (compliance)');
      assert.equal(confirmed.body.attestation_text, 'We have consent.');

      await h().deps.store.db.updateTable('orgs').set({ balance_cents: 0 }).where('id', '=', s.org.id).execute();
      const broke = await h().request('POST', `${path}/start`, {
        key: s.org.apiKey,
        body: { consent_to_charge: true },
      });
      assert.equal(broke.status, 402);
      assert.equal(broke.body.code, 'insufficient_balance');
      await h().deps.store.db.updateTable('orgs').set({ balance_cents: 500 }).where('id', '=', s.org.id).execute();

      const empty = await newCampaign(h(), s);
      const none = await h().request('POST', `/v1/campaigns/${empty.public_id}/start`, {
        key: s.org.apiKey,
        body: { consent_to_charge: true },
      });
      assert.equal(none.status, 409);

      const started = await h().request('POST', `${path}/start`, {
        key: s.org.apiKey,
        body: { consent_to_charge: true },
      });
      assert.equal(started.status, 200, started.text);
      assert.equal(started.body.status, 'running');
      assert.ok(started.body.consent_at);
    });

    test('pause / resume / cancel follow the status rules (409 with the status named)', async () => {
      const s = await setup(h());
      const c = await newCampaign(h(), s);
      const path = `/v1/campaigns/${c.public_id}`;
      const k = { key: s.org.apiKey };
      await h().request('POST', `${path}/contacts`, { ...k, body: { contacts: [{ phone_number: '+14155550131' }] } });
      const early = await h().request('POST', `${path}/pause`, k);
      assert.equal(early.status, 409);
      assert.equal(early.body.code, 'campaign_state_conflict');
      assert.match(early.body.detail, /draft/);
      await h().request('POST', `${path}/start`, { ...k, body: { consent_to_charge: true } });
      assert.equal((await h().request('POST', `${path}/pause`, k)).body.status, 'paused');
      assert.equal((await h().request('PATCH', path, { ...k, body: { max_attempts: 2 } })).status, 200);
      assert.equal((await h().request('POST', `${path}/resume`, k)).body.status, 'running');
      assert.equal((await h().request('PATCH', path, { ...k, body: { max_attempts: 3 } })).status, 409);
      assert.equal((await h().request('DELETE', path, k)).status, 409);
      const cancelled = await h().request('POST', `${path}/cancel`, k);
      assert.equal(cancelled.body.status, 'cancelled');
      const stats = await h().request('GET', `${path}/stats`, k);
      assert.equal(stats.body.cancelled, 1);
      assert.equal(stats.body.queued, 0);
      assert.equal((await h().request('POST', `${path}/resume`, k)).status, 409);
    });

    test("tenant isolation: another org's campaign is not found for any operation", async () => {
      const a = await setup(h());
      const b = await setup(h());
      const c = await newCampaign(h(), a);
      const path = `/v1/campaigns/${c.public_id}`;
      const k = { key: b.org.apiKey };
      for (const [method, url, body] of [
        ['GET', path, undefined],
        ['GET', `${path}/stats`, undefined],
        ['GET', `${path}/contacts`, undefined],
        ['PATCH', path, { name: 'x' }],
        ['POST', `${path}/contacts`, { contacts: [{ phone_number: '+14155550141' }] }],
        ['POST', `${path}/start`, { consent_to_charge: true }],
        ['POST', `${path}/cancel`, {}],
        ['DELETE', path, undefined],
      ] as const)
        assert.equal((await h().request(method, url, { ...k, body })).status, 404, `${method} ${url}`);
      const list = await h().request('GET', '/v1/campaigns', k);
      assert.equal(list.body.total, 0);
      assert.equal((await h().request('GET', path, { key: a.org.apiKey })).body.total_count, 0);
    });

    test('official client flows, replayed request by request: campaign.js and the n8n node', async () => {
      const s = await setup(h());
      const headers = { 'content-type': 'application/json' };
      // campaign.js (thunderphone/examples outbound-reminders-node): requests() + run(api, payload, true).
      const campaign = await h().request('POST', '/v1/campaigns', {
        key: s.org.apiKey,
        headers,
        body: {
          name: 'Appointment reminders',
          agent: s.agent.id,
          from_number: s.from,
          timezone: 'America/Los_Angeles',
          daily_window_start: '09:00',
          daily_window_end: '17:00',
          max_attempts: 1,
        },
      });
      assert.equal(campaign.status, 201);
      const path = `/v1/campaigns/${campaign.body.public_id}`;
      const contacts = [
        { phone_number: '+14155550151', first_name: 'Ada', appointment_time: 'Tuesday 10:00' },
        { phone_number: '+14155550152', first_name: 'Alan', appointment_time: 'Wednesday 15:30' },
      ];
      const imported = await h().request('POST', `${path}/contacts`, {
        key: s.org.apiKey,
        headers,
        body: { contacts },
      });
      assert.equal(imported.body.rejected, 0);
      assert.equal(imported.body.accepted, contacts.length);
      const start = await h().request('POST', `${path}/start`, {
        key: s.org.apiKey,
        headers,
        body: { consent_to_charge: true },
      });
      assert.equal(start.status, 200);
      const stats = await h().request('GET', `${path}/stats`, { key: s.org.apiKey, headers });
      assert.deepEqual([stats.body.total, stats.body.completed, stats.body.failed], [2, 0, 0]);
      const polled = await h().request('GET', path, { key: s.org.apiKey, headers });
      assert.ok(['running', 'completed', 'cancelled', 'paused'].includes(polled.body.status));

      // n8n: the "get campaign" template checks an empty draft, then addContacts and start.
      const draft = await h().request('POST', '/v1/campaigns', { key: s.org.apiKey, body: campaignBody(s) });
      const id = draft.body.public_id;
      const got = await h().request('GET', `/v1/campaigns/${encodeURIComponent(id.trim())}`, { key: s.org.apiKey });
      assert.equal(got.body.status, 'draft');
      assert.equal(Number(got.body.total_count ?? 0) + (got.body.contacts ?? []).length, 0);
      const add = await h().request('POST', `/v1/campaigns/${id}/contacts`, {
        key: s.org.apiKey,
        body: {
          contacts: [
            { phone_number: '+14155550161', lead_id: 'L-1', first_name: 'Ada' },
            { phone_number: 'bad', lead_id: 'L-2', first_name: 'Bob' },
          ],
        },
      });
      assert.equal(add.body.accepted, 1);
      assert.equal(add.body.rejected, 1);
      assert.deepEqual(add.body.errors, [{ index: 1, error: 'invalid_phone_number' }]);
      const n8nStart = await h().request('POST', `/v1/campaigns/${id}/start`, {
        key: s.org.apiKey,
        body: { consent_to_charge: true },
      });
      assert.equal(n8nStart.status, 200);
      assert.equal(n8nStart.body.status, 'running');
    });
  },
  { customize: (deps) => void (deps.trunkVerifier = verifier) },
);

describeApi(
  'POST /v1/call behind the outbound gate (OUTBOUND_ATTESTATION_REQUIRED=true)',
  (h) => {
    test('403 outbound_attestation_missing until the operator attests, then 201', async () => {
      const s = await setup(h(), { attested: false });
      const body = { from_number: s.from, to_number: '+14155550171', agent_id: s.agent.id };
      const blocked = await h().request('POST', '/v1/call', { key: s.org.apiKey, body });
      assert.equal(blocked.status, 403);
      assert.equal(blocked.body.code, 'outbound_attestation_missing');
      await h().request('POST', `/admin/v1/orgs/${s.org.id}/outbound-attestation`, {
        key: { admin: true },
        body: { attested_by: 'ops' },
      });
      const ok = await h().request('POST', '/v1/call', { key: s.org.apiKey, body });
      assert.equal(ok.status, 201, ok.text);
    });
  },
  { env: { OUTBOUND_ATTESTATION_REQUIRED: 'true' }, customize: (deps) => void (deps.trunkVerifier = verifier) },
);
