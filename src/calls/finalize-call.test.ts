import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import type { Store } from '../store/db';
import { CallRepo } from './call-repo';
import { finalizeCall, type FinalizeDeps } from './finalize-call';
import { recoverOrphanedCalls } from './recover-calls';
import { balanceOf, ledgerForCall, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';

const rates = { spark: 2, bolt: 5, storm: 9 };

interface Ctx {
  store: Store;
  clock: FakeClock;
  repo: CallRepo;
  emitter: RecordingEmitter;
  deps: FinalizeDeps;
}

describeEachDialect<Ctx>(
  'finalizing a call',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const clock = new FakeClock('2026-03-01T10:00:00.000Z');
    const emitter = new RecordingEmitter();
    const deps: FinalizeDeps = {
      db: store.db,
      clock,
      rateCentsPerMinute: rates,
      events: emitter,
      recordingUrl: (c) => `http://rec/${c.id}?sig=x`,
    };
    const ctx = { store, clock, repo: new CallRepo(store.db, dialect, clock), emitter, deps };
    await seedOrg(store, clock, 1000);
    return ctx;
  },
  (c) => c.store.destroy(),
  (get) => {
    test('an answered 54 s spark call completes, costs one minute once, and sends telephony.complete', async () => {
      const { store, clock, repo, emitter, deps } = get();
      const orgId = (await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const before = await balanceOf(store.db, orgId);
      const call = await seedOutboundCall(store.db, clock, orgId);
      assert.equal((await repo.admit(call.id, 'inst-a', 10, RATES)).kind, 'admitted');
      assert.equal(await repo.transition(call.id, 'ringing'), true);
      clock.advance(3000);
      assert.equal(await repo.markAnswered(call.id), true);
      clock.advance(54_000);
      assert.equal(await repo.beginEnding(call.id), true);
      assert.equal(await repo.beginEnding(call.id), false, 'only one path may end the call');
      const transcript = [
        { role: 'assistant', content_type: 'text/plain', content: 'Hello!', start_ms: 100, end_ms: 900 },
        { role: 'user', content_type: 'text/plain', content: 'Bye.', start_ms: 1500, end_ms: 2000 },
      ];
      const res = await finalizeCall(deps, {
        callId: call.id,
        endReason: 'caller_hangup',
        transcript,
        recordingPath: '/rec/1.wav',
        toolCalls: [{ name: 'lookup', arguments: { q: 1 }, response: { ok: true } }],
      });
      assert.equal(res.finalized, true);
      const row = await repo.get(call.id);
      assert.equal(row?.status, 'completed');
      assert.equal(row?.phase, 'ended');
      assert.equal(row?.end_reason, 'caller_hangup');
      assert.equal(row?.duration_seconds, 54);
      assert.equal(row?.billable_minutes, 1);
      assert.equal(row?.billing_total_cents, 2);
      assert.ok(row?.billed_at);
      assert.deepEqual(JSON.parse(row?.transcript ?? ''), transcript);
      const ledger = await ledgerForCall(store.db, call.id);
      assert.equal(ledger.length, 1);
      assert.equal(ledger[0]?.amount_cents, -2);
      assert.equal(ledger[0]?.reference, `call:${call.id}`);
      assert.equal(await balanceOf(store.db, orgId), before - 2);

      const again = await finalizeCall(deps, { callId: call.id, endReason: 'error' });
      assert.equal(again.finalized, false, 'a retry changes nothing');
      assert.equal((await ledgerForCall(store.db, call.id)).length, 1);
      assert.equal((await repo.get(call.id))?.end_reason, 'caller_hangup');

      const complete = emitter.events.filter((e) => e.type === 'telephony.complete' && e.data.call_id === call.id);
      assert.equal(complete.length, 1);
      const data = complete[0]?.data ?? {};
      assert.equal(data.status, 'completed');
      assert.equal(data.billing_total_cents, 2);
      assert.equal(data.recording_url, `http://rec/${call.id}?sig=x`);
      assert.equal(data.agent_name, 'Front desk');
      assert.deepEqual(data.transcripts, transcript);
      for (const k of [
        'direction',
        'from_number',
        'to_number',
        'start_time',
        'end_time',
        'duration_seconds',
        'end_reason',
        'product',
        'voice',
        'transfer_number',
        'billable_minutes',
      ]) {
        assert.ok(k in data, `payload has ${k}`);
      }
      const tool = emitter.events.filter((e) => e.type === 'telephony.tool' && e.data.call_id === call.id);
      assert.equal(tool.length, 1);
      assert.equal(tool[0]?.data.name, 'lookup');
    });

    test('who answered: a machine that heard the agent begin on a guess keeps both times on the row and in telephony.complete; an unanswered call none', async () => {
      const { store, clock, repo, emitter, deps } = get();
      const orgId = (await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const answered = await seedOutboundCall(store.db, clock, orgId);
      const unanswered = await seedOutboundCall(store.db, clock, orgId);
      await repo.admit(answered.id, 'inst-a', 10, RATES);
      await repo.admit(unanswered.id, 'inst-a', 10, RATES);
      await repo.markAnswered(answered.id);
      clock.advance(4000);
      const answeredBy = { answeredBy: 'machine', decisionMs: 2620, guessMs: 760 };
      await finalizeCall(deps, { callId: answered.id, endReason: 'voicemail', answeredBy });
      await finalizeCall(deps, { callId: unanswered.id, endReason: 'no_answer', answeredBy });
      const row = await repo.get(answered.id);
      assert.deepEqual([row?.answered_by, row?.answered_by_ms, row?.answered_by_guess_ms], ['machine', 2620, 760]);
      const none = await repo.get(unanswered.id);
      assert.deepEqual([none?.answered_by, none?.answered_by_ms, none?.answered_by_guess_ms], [null, null, null]);
      const completeOf = (id: number) =>
        emitter.events.find((e) => e.type === 'telephony.complete' && e.data.call_id === id)?.data ?? {};
      const data = completeOf(answered.id);
      assert.deepEqual(
        [data.answered_by, data.answered_by_decision_ms, data.answered_by_guess_ms],
        ['machine', 2620, 760],
      );
      assert.equal(completeOf(unanswered.id).answered_by_guess_ms, null);
    });

    test('a busy call fails with its reason and costs nothing', async () => {
      const { store, clock, repo, deps } = get();
      const orgId = (await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const before = await balanceOf(store.db, orgId);
      const call = await seedOutboundCall(store.db, clock, orgId);
      await repo.admit(call.id, 'inst-a', 10, RATES);
      clock.advance(2000);
      await finalizeCall(deps, { callId: call.id, endReason: 'busy' });
      const row = await repo.get(call.id);
      assert.equal(row?.status, 'failed');
      assert.equal(row?.end_reason, 'busy');
      assert.equal(row?.billing_total_cents, 0);
      assert.equal(row?.billable_minutes, 0);
      assert.equal((await ledgerForCall(store.db, call.id)).length, 0);
      assert.equal(await balanceOf(store.db, orgId), before);
    });

    test('when the webhook outbox fails nothing is committed; a retry bills exactly once', async () => {
      const { store, clock, repo, emitter, deps } = get();
      const orgId = (await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const call = await seedOutboundCall(store.db, clock, orgId, { product: 'bolt' });
      await repo.admit(call.id, 'inst-a', 10, RATES);
      await repo.markAnswered(call.id);
      clock.advance(61_000);
      emitter.failNext = true;
      await assert.rejects(finalizeCall(deps, { callId: call.id, endReason: 'agent_end' }));
      assert.equal((await repo.get(call.id))?.status, 'in_progress');
      assert.equal((await ledgerForCall(store.db, call.id)).length, 0);
      await finalizeCall(deps, { callId: call.id, endReason: 'agent_end' });
      const ledger = await ledgerForCall(store.db, call.id);
      assert.deepEqual(
        ledger.map((e) => e.amount_cents),
        [-10],
      );
    });

    test('transfer keeps the transfer number; other reasons do not', async () => {
      const { store, clock, repo, deps } = get();
      const orgId = (await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const call = await seedOutboundCall(store.db, clock, orgId);
      await repo.admit(call.id, 'inst-a', 10, RATES);
      await repo.markAnswered(call.id);
      clock.advance(10_000);
      await finalizeCall(deps, { callId: call.id, endReason: 'transfer', transferNumber: '+15559990000' });
      const row = await repo.get(call.id);
      assert.equal(row?.end_reason, 'transfer');
      assert.equal(row?.transfer_number, '+15559990000');
    });

    test('start-up recovery ends calls of a dead process, bills answered time up to its last heartbeat, once', async () => {
      const { store, clock, repo, emitter, deps } = get();
      const orgId = (await store.db.selectFrom('orgs').select('id').executeTakeFirstOrThrow()).id;
      const answered = await seedOutboundCall(store.db, clock, orgId);
      const ringing = await seedOutboundCall(store.db, clock, orgId);
      const queued = await seedOutboundCall(store.db, clock, orgId);
      await repo.admit(answered.id, 'dead-1', 10, RATES);
      await repo.admit(ringing.id, 'dead-1', 10, RATES);
      await repo.markAnswered(answered.id);
      clock.advance(150_000);
      await repo.heartbeat(answered.id, 'dead-1');
      clock.advance(600_000); // the process died long ago; the new one starts now
      const report = await recoverOrphanedCalls(repo, deps, { instance: 'new-2', staleAfterMs: 30_000 }, silentLogger);
      assert.deepEqual(report.recovered.sort(), [answered.id, ringing.id].sort());
      const a = await repo.get(answered.id);
      assert.equal(a?.status, 'completed');
      assert.equal(a?.end_reason, 'error');
      assert.equal(a?.billable_minutes, 3, '150 s known answered → 3 minutes, not the 12 min the process was down');
      const r = await repo.get(ringing.id);
      assert.equal(r?.status, 'failed');
      assert.equal(r?.billing_total_cents, 0);
      assert.equal((await repo.get(queued.id))?.status, 'in_progress', 'queued calls wait for their job');
      assert.ok(emitter.events.some((e) => e.type === 'telephony.complete' && e.data.call_id === answered.id));
      const second = await recoverOrphanedCalls(repo, deps, { instance: 'new-3', staleAfterMs: 30_000 }, silentLogger);
      assert.deepEqual(second.recovered, []);
      assert.equal((await ledgerForCall(store.db, answered.id)).length, 1);
      await finalizeCall(deps, { callId: queued.id, endReason: 'error' });
    });
  },
);
