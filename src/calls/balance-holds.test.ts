import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { openStore, type Store } from '../store/db';
import { extendHold, heldCents } from '../billing/balance-holds';
import { CallRepo } from './call-repo';
import { finalizeCall, type FinalizeDeps } from './finalize-call';
import { recoverOrphanedCalls } from './recover-calls';
import { balanceOf, ledgerForCall, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';

/*
 * Money under concurrency, at the store: parallel admissions reserve a minute each and never
 * more than the balance pays (also from several servers on one PostgreSQL database); running
 * calls extend their holds atomically; the finalizer settles one debit or releases the hold and
 * never takes the balance below zero. `bolt` costs 5 ¢/min here, `spark` 2 ¢/min.
 */
interface Ctx {
  store: Store;
  clock: FakeClock;
  repo: CallRepo;
  deps: FinalizeDeps;
}

async function holdsOf(store: Store, orgId: number) {
  return store.db.selectFrom('balance_holds').selectAll().where('org_id', '=', orgId).orderBy('call_id').execute();
}

describeEachDialect<Ctx>(
  'balance holds',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const clock = new FakeClock('2026-04-01T09:00:00.000Z');
    const deps: FinalizeDeps = { db: store.db, clock, rateCentsPerMinute: RATES, events: new RecordingEmitter() };
    await seedOrg(store, clock, 0);
    return { store, clock, repo: new CallRepo(store.db, dialect, clock), deps };
  },
  (c) => c.store.destroy(),
  (get, dialect) => {
    /** 20 calls admitted at once for an org with 10 ¢ at 5 ¢/min, each answered and talking 30 s. */
    async function parallelCalls(repos: CallRepo[]) {
      const { store, clock, repo, deps } = get();
      const orgId = await seedOrg(store, clock, 10, 50);
      const calls = [];
      for (let i = 0; i < 20; i++) calls.push(await seedOutboundCall(store.db, clock, orgId, { product: 'bolt' }));
      const results = await Promise.all(
        calls.map((c, i) => repos[i % repos.length]!.admit(c.id, `server-${i % repos.length}`, 50, RATES)),
      );
      const admitted = results.flatMap((r) => (r.kind === 'admitted' ? [r.call.id] : []));
      const refused = results.flatMap((r) => (r.kind === 'insufficient_balance' ? [r.call.id] : []));
      assert.equal(admitted.length, 2, `admitted ${JSON.stringify(results.map((r) => r.kind))}`);
      assert.equal(refused.length, 18);
      assert.equal(await heldCents(store.db, orgId, clock.nowMs()), 10);
      for (const id of refused) await finalizeCall(deps, { callId: id, endReason: 'insufficient_balance' });
      for (const id of admitted) await repo.markAnswered(id);
      clock.advance(30_000);
      for (const id of admitted) await finalizeCall(deps, { callId: id, endReason: 'caller_hangup' });
      assert.equal(await balanceOf(store.db, orgId), 0, 'the balance reaches zero, never below');
      for (const id of admitted)
        assert.deepEqual(
          (await ledgerForCall(store.db, id)).map((e) => e.amount_cents),
          [-5],
        );
      for (const id of refused) {
        assert.equal((await ledgerForCall(store.db, id)).length, 0);
        const row = await repo.get(id);
        assert.deepEqual(
          [row?.status, row?.end_reason, row?.dialed_at !== null],
          ['failed', 'insufficient_balance', true],
        );
      }
      const holds = await holdsOf(store, orgId);
      assert.deepEqual(
        holds.map((h) => [h.status, Number(h.charged_cents)]),
        [
          ['settled', 5],
          ['settled', 5],
        ],
      );
      assert.equal(await heldCents(store.db, orgId, clock.nowMs()), 0);
    }

    test('20 parallel admissions with 10 ¢ at 5 ¢/min: 2 dial holding 5 ¢ each, 18 fail unbilled; balance ends at 0', async () => {
      await parallelCalls([get().repo]);
    });

    if (dialect === 'postgres') {
      test('the same with two servers (own connection pools, own instance ids) admitting at once', async () => {
        const { store, clock } = get();
        const second = await openStore(store.url, { schema: store.schema, poolSize: 5 });
        try {
          await parallelCalls([get().repo, new CallRepo(second.db, 'postgres', clock)]);
        } finally {
          await second.destroy();
        }
      });
    }

    test('running calls extend their holds atomically: together they never reserve more than the balance', async () => {
      const { store, clock, repo, deps } = get();
      const orgId = await seedOrg(store, clock, 11, 50);
      const a = await seedOutboundCall(store.db, clock, orgId);
      const b = await seedOutboundCall(store.db, clock, orgId);
      for (const c of [a, b]) assert.equal((await repo.admit(c.id, 'srv', 50, RATES)).kind, 'admitted');
      for (const c of [a, b]) await repo.markAnswered(c.id);
      // Both guards ask for their next minute (2 ¢) at the same moments; a call refused ends there,
      // as its guard would end it. 11 ¢ pays 5 minutes in all.
      const granted = new Map([
        [a.id, 1],
        [b.id, 1],
      ]);
      for (let minute = 2; granted.size > 0 && minute <= 10; minute++) {
        clock.advance(58_000);
        const running = [...granted.keys()];
        const answers = await Promise.all(
          running.map((id) =>
            extendHold(store.db, { orgId, callId: id, minutes: minute, nowIso: clock.nowIso(), nowMs: clock.nowMs() }),
          ),
        );
        for (const [i, id] of running.entries()) {
          if (answers[i]) granted.set(id, minute);
          else {
            await finalizeCall(deps, { callId: id, endReason: 'insufficient_balance' });
            granted.delete(id);
          }
        }
        clock.advance(2_000);
      }
      const billed = await Promise.all([a, b].map(async (c) => (await repo.get(c.id))?.billable_minutes ?? 0));
      assert.equal(billed[0]! + billed[1]!, 5, `minutes billed ${JSON.stringify(billed)}`);
      assert.equal(await balanceOf(store.db, orgId), 1);
    });

    test('a call that ran past its reservation is charged at most what is free: balance 0, not below', async () => {
      const { store, clock, repo, deps } = get();
      const orgId = await seedOrg(store, clock, 7, 50);
      const long = await seedOutboundCall(store.db, clock, orgId); // spark, 2 ¢/min
      const other = await seedOutboundCall(store.db, clock, orgId);
      for (const c of [long, other]) assert.equal((await repo.admit(c.id, 'srv', 50, RATES)).kind, 'admitted');
      await repo.markAnswered(long.id);
      clock.advance(5 * 60_000); // 5 minutes = 10 ¢, with 2 ¢ reserved (its guard never got to run)
      const ended = await finalizeCall(deps, { callId: long.id, endReason: 'caller_hangup' });
      assert.equal(ended.call?.billable_minutes, 5);
      assert.equal(ended.call?.billing_total_cents, 5, "7 ¢ minus the other call's 2 ¢ reservation");
      assert.equal(await balanceOf(store.db, orgId), 2);
      const never = await finalizeCall(deps, { callId: other.id, endReason: 'no_answer' });
      assert.equal(never.call?.billing_total_cents, 0, 'never connected: the hold is released, nothing charged');
      assert.equal(await balanceOf(store.db, orgId), 2);
      assert.deepEqual(
        (await holdsOf(store, orgId)).map((h) => [h.status, Number(h.charged_cents)]),
        [
          ['settled', 5],
          ['released', 0],
        ],
      );
      assert.equal((await finalizeCall(deps, { callId: long.id, endReason: 'error' })).finalized, false);
      assert.equal((await ledgerForCall(store.db, long.id)).length, 1, 'billed exactly once');
    });

    test('recovery of a dead server settles its answered call and releases the hold of one still ringing', async () => {
      const { store, clock, repo, deps } = get();
      const orgId = await seedOrg(store, clock, 100, 50);
      const answered = await seedOutboundCall(store.db, clock, orgId);
      const ringing = await seedOutboundCall(store.db, clock, orgId);
      for (const c of [answered, ringing]) await repo.admit(c.id, 'host-x/1/dead', 50, RATES);
      await repo.markAnswered(answered.id);
      clock.advance(20_000);
      await repo.heartbeat([answered.id, ringing.id], 'host-x/1/dead');
      assert.equal(await heldCents(store.db, orgId, clock.nowMs()), 4);
      clock.advance(60_000);
      const report = await recoverOrphanedCalls(
        repo,
        deps,
        { instance: 'host-y/2/alive', staleAfterMs: 30_000, isOwnerGone: () => false },
        silentLogger,
      );
      assert.deepEqual(report.recovered.sort(), [answered.id, ringing.id].sort());
      assert.deepEqual(
        (await holdsOf(store, orgId)).map((h) => [h.call_id, h.status, Number(h.charged_cents)]),
        [
          [answered.id, 'settled', 2],
          [ringing.id, 'released', 0],
        ],
      );
      assert.equal(await balanceOf(store.db, orgId), 98);
      assert.equal(await heldCents(store.db, orgId, clock.nowMs()), 0);
    });
  },
);
