import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, type ApiHarness, type TestOrg } from '../../test/support/api-harness';
import { createAgent, verifiedNumber } from '../../test/support/numbers-flow';
import { ScriptedTrunkVerifier } from '../numbers/testing/scripted-trunk-verifier';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { dispatchOnce, outcomeOfCall, type DispatcherDeps } from './campaign-dispatcher';

/*
 * The dispatcher's decisions on a fake clock, both databases: the daily window across midnight and
 * a DST change, retries after the delay up to max_attempts, pause/resume/cancel, the balance
 * running out, and racing dispatchers (one call per attempt). Calls end here by writing their
 * terminal row (what the call runtime's finalizer writes); test/e2e/campaign-calls.test.ts runs
 * the same through real SIP calls.
 */
const clock = new FakeClock('2026-03-07T15:00:00.000Z'); // 10:00 EST, the day before US DST starts
const verifier = new ScriptedTrunkVerifier();
let seq = 0;
const H = 3_600_000;

interface Ctx {
  org: TestOrg;
  path: string;
  campaignId: number;
  d: DispatcherDeps;
}

async function campaign(
  h: ApiHarness,
  o: { contacts: number; settings?: Record<string, unknown>; maxConcurrent?: number; start?: boolean },
): Promise<Ctx> {
  const org = await h.createOrg({ balanceCents: 5000 });
  if (o.maxConcurrent !== undefined)
    await h.deps.store.db
      .updateTable('orgs')
      .set({ max_concurrent_calls: o.maxConcurrent })
      .where('id', '=', org.id)
      .execute();
  const from = `+1555222${String(1000 + ++seq)}`;
  await verifiedNumber(h, org, from);
  const agent = await createAgent(h, org, { outbound_speak_order: 'caller_first' });
  await h.request('POST', `/admin/v1/orgs/${org.id}/outbound-attestation`, {
    key: { admin: true },
    body: { attested_by: 'ops' },
  });
  const c = await h.request('POST', '/v1/campaigns', {
    key: org.apiKey,
    body: {
      name: 'c',
      agent: agent.id,
      from_number: from,
      timezone: 'America/New_York',
      daily_window_start: '09:00',
      daily_window_end: '17:00',
      ...o.settings,
    },
  });
  assert.equal(c.status, 201, c.text);
  const path = `/v1/campaigns/${c.body.public_id}`;
  const contacts = Array.from({ length: o.contacts }, (_, i) => ({
    phone_number: `+1415${String(seq * 1000 + 1_000_000 + i)}`,
    first_name: `N${i}`,
  }));
  await h.request('POST', `${path}/contacts`, { key: org.apiKey, body: { contacts } });
  if (o.start !== false) {
    const s = await h.request('POST', `${path}/start`, { key: org.apiKey, body: { consent_to_charge: true } });
    assert.equal(s.status, 200, s.text);
  }
  const row = await h.deps.store.db
    .selectFrom('campaigns')
    .select('id')
    .where('public_id', '=', c.body.public_id)
    .executeTakeFirstOrThrow();
  const d: DispatcherDeps = {
    db: h.deps.store.db,
    dialect: h.deps.store.dialect,
    clock,
    ids: h.deps.ids,
    queue: h.deps.queue,
    log: silentLogger,
    defaultMaxConcurrent: 10,
    intervalMs: 1000,
  };
  return { org, path, campaignId: Number(row.id), d };
}

const callsOf = (h: ApiHarness, campaignId: number) =>
  h.deps.store.db.selectFrom('calls').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();

/** What the finalizer leaves: the call's terminal status and end reason. */
async function endCall(h: ApiHarness, callId: number, status: 'completed' | 'failed', endReason: string) {
  await h.deps.store.db
    .updateTable('calls')
    .set({
      status,
      end_reason: endReason,
      phase: 'ended',
      answered_at: status === 'completed' ? clock.nowIso() : null,
      end_time: clock.nowIso(),
    })
    .where('id', '=', callId)
    .execute();
}

async function stats(h: ApiHarness, c: Ctx) {
  return (await h.request('GET', `${c.path}/stats`, { key: c.org.apiKey })).body;
}

describeApi(
  'campaign dispatcher (fake clock)',
  (h) => {
    test('dials inside the window only: stops at 17:00, waits across midnight and the DST change, resumes at 09:00', async () => {
      clock.set('2026-03-07T21:58:00.000Z'); // 16:58 EST
      const c = await campaign(h(), { contacts: 3, maxConcurrent: 1 });
      assert.equal(await dispatchOnce(c.d, c.campaignId), 1000);
      let calls = await callsOf(h(), c.campaignId);
      assert.equal(calls.length, 1, 'one slot: one call');
      assert.equal(calls[0]!.to_number.startsWith('+1415'), true);
      assert.deepEqual(JSON.parse(calls[0]!.variables), { first_name: 'N0' });
      clock.set('2026-03-07T22:00:00.000Z'); // 17:00 EST: the window closes
      await endCall(h(), Number(calls[0]!.id), 'completed', 'caller_hangup');
      const wait = await dispatchOnce(c.d, c.campaignId);
      assert.equal(wait, 15 * H, 'the next window opens at 09:00 EDT: 15 h later across the spring-forward night');
      assert.equal((await callsOf(h(), c.campaignId)).length, 1);
      clock.set('2026-03-08T05:00:00.000Z'); // midnight local: still closed
      assert.equal(await dispatchOnce(c.d, c.campaignId), 8 * H);
      clock.set('2026-03-08T12:59:00.000Z'); // 08:59 EDT
      assert.equal(await dispatchOnce(c.d, c.campaignId), 60_000);
      assert.equal((await callsOf(h(), c.campaignId)).length, 1);
      clock.set('2026-03-08T13:00:00.000Z'); // 09:00 EDT
      await dispatchOnce(c.d, c.campaignId);
      calls = await callsOf(h(), c.campaignId);
      assert.equal(calls.length, 2);
      const s = await stats(h(), c);
      assert.deepEqual([s.completed, s.in_progress, s.queued], [1, 1, 1]);
    });

    test('retries no_answer and busy after the delay, up to max_attempts; voicemail counts as voicemail', async () => {
      clock.set('2026-03-10T15:00:00.000Z');
      const c = await campaign(h(), { contacts: 2, settings: { max_attempts: 2, retry_delay_seconds: 600 } });
      await dispatchOnce(c.d, c.campaignId);
      let calls = await callsOf(h(), c.campaignId);
      assert.equal(calls.length, 2);
      await endCall(h(), Number(calls[0]!.id), 'failed', 'no_answer');
      await endCall(h(), Number(calls[1]!.id), 'completed', 'voicemail');
      const wait = await dispatchOnce(c.d, c.campaignId);
      assert.equal(wait, 600_000, 'both wait for their retry time');
      assert.equal((await callsOf(h(), c.campaignId)).length, 2, 'no retry before the delay');
      clock.advance(599_000);
      await dispatchOnce(c.d, c.campaignId);
      assert.equal((await callsOf(h(), c.campaignId)).length, 2);
      clock.advance(1000);
      await dispatchOnce(c.d, c.campaignId);
      calls = await callsOf(h(), c.campaignId);
      assert.equal(calls.length, 4, 'second attempts');
      await endCall(h(), Number(calls[2]!.id), 'failed', 'busy');
      await endCall(h(), Number(calls[3]!.id), 'completed', 'voicemail');
      clock.advance(3_600_000);
      assert.equal(await dispatchOnce(c.d, c.campaignId), null, 'every contact terminal: done');
      assert.equal((await callsOf(h(), c.campaignId)).length, 4, 'max_attempts reached: no third call');
      const s = await stats(h(), c);
      assert.deepEqual(
        { busy: s.busy, voicemail: s.voicemail, attempts: s.attempts, status: s.status, total: s.total },
        { busy: 1, voicemail: 1, attempts: 4, status: 'completed', total: 2 },
      );
    });

    test('pause stops new calls (running ones are still counted), resume continues, cancel ends it', async () => {
      clock.set('2026-03-11T15:00:00.000Z');
      const c = await campaign(h(), { contacts: 4, maxConcurrent: 1 });
      await dispatchOnce(c.d, c.campaignId);
      const k = { key: c.org.apiKey };
      assert.equal((await h().request('POST', `${c.path}/pause`, k)).body.status, 'paused');
      const [first] = await callsOf(h(), c.campaignId);
      await endCall(h(), Number(first!.id), 'completed', 'agent_end');
      assert.equal(await dispatchOnce(c.d, c.campaignId), null);
      assert.equal((await callsOf(h(), c.campaignId)).length, 1, 'paused: nobody else is called');
      assert.equal((await stats(h(), c)).completed, 1, 'the running call was still harvested');
      await h().request('POST', `${c.path}/resume`, k);
      await dispatchOnce(c.d, c.campaignId);
      const calls = await callsOf(h(), c.campaignId);
      assert.equal(calls.length, 2);
      await h().request('POST', `${c.path}/cancel`, k);
      await endCall(h(), Number(calls[1]!.id), 'completed', 'agent_end');
      assert.equal(await dispatchOnce(c.d, c.campaignId), null);
      assert.equal((await callsOf(h(), c.campaignId)).length, 2);
      const s = await stats(h(), c);
      assert.deepEqual([s.status, s.completed, s.cancelled, s.queued], ['cancelled', 2, 2, 0]);
    });

    test('balance running out pauses the campaign (insufficient_balance) without failing contacts', async () => {
      clock.set('2026-03-12T15:00:00.000Z');
      const c = await campaign(h(), { contacts: 3, maxConcurrent: 1 });
      await dispatchOnce(c.d, c.campaignId);
      const [first] = await callsOf(h(), c.campaignId);
      // The call was refused at admission for lack of money (never dialed).
      await endCall(h(), Number(first!.id), 'failed', 'insufficient_balance');
      await dispatchOnce(c.d, c.campaignId);
      let got = (await h().request('GET', c.path, { key: c.org.apiKey })).body;
      assert.deepEqual([got.status, got.pause_reason], ['paused', 'insufficient_balance']);
      let s = await stats(h(), c);
      assert.deepEqual([s.queued, s.failed, s.attempts], [3, 0, 0], 'the attempt was given back');
      // Resumed, then the ledger balance reaches zero: paused before any call.
      await h().request('POST', `${c.path}/resume`, { key: c.org.apiKey });
      await h().deps.store.db.updateTable('orgs').set({ balance_cents: 0 }).where('id', '=', c.org.id).execute();
      await dispatchOnce(c.d, c.campaignId);
      got = (await h().request('GET', c.path, { key: c.org.apiKey })).body;
      assert.deepEqual([got.status, got.pause_reason], ['paused', 'insufficient_balance']);
      assert.equal((await callsOf(h(), c.campaignId)).length, 1);
      s = await stats(h(), c);
      assert.equal(s.queued, 3);
      const resume = await h().request('POST', `${c.path}/resume`, { key: c.org.apiKey });
      assert.equal(resume.status, 402, 'resume needs money too');
    });

    test('racing dispatchers (several servers): every attempt is dialed exactly once', async () => {
      clock.set('2026-03-13T15:00:00.000Z');
      const c = await campaign(h(), { contacts: 12 });
      await Promise.all([
        dispatchOnce(c.d, c.campaignId),
        dispatchOnce(c.d, c.campaignId),
        dispatchOnce(c.d, c.campaignId),
      ]);
      const calls = await callsOf(h(), c.campaignId);
      // Racing passes may each see the same free slots (the call runtime's admission is the hard
      // per-org limit: an extra call waits in its FIFO); what they never do is dial a contact twice.
      assert.ok(calls.length >= 10 && calls.length <= 12, String(calls.length));
      assert.equal(new Set(calls.map((k) => k.campaign_contact_id)).size, calls.length, 'no contact twice');
      const contacts = await h()
        .deps.store.db.selectFrom('campaign_contacts')
        .selectAll()
        .where('campaign_id', '=', c.campaignId)
        .where('status', '=', 'calling')
        .execute();
      assert.equal(contacts.length, calls.length);
      for (const k of contacts) assert.equal(k.attempts, 1);
    });
  },
  { clock, customize: (deps) => void (deps.trunkVerifier = verifier) },
);

test('a contact answered by a machine is voicemail (retried) however the call ended; a person is completed', () => {
  const of = (status: string, end_reason: string | null, answered_by: string | null) =>
    outcomeOfCall({ status, end_reason, answered_by });
  assert.equal(of('completed', 'voicemail', 'machine'), 'voicemail');
  assert.equal(of('completed', 'caller_hangup', 'machine'), 'voicemail');
  assert.equal(of('completed', 'timeout', 'machine'), 'voicemail');
  assert.equal(of('completed', 'caller_hangup', 'human'), 'completed');
  assert.equal(of('completed', 'caller_hangup', 'unknown'), 'completed');
  assert.equal(of('failed', 'busy', null), 'busy');
  assert.equal(of('failed', 'no_answer', null), 'no_answer');
});
