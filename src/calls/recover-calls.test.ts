import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect, openTestStore } from '../../test/support/dialects';
import { FakeClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import type { Store } from '../store/db';
import { CallRepo } from './call-repo';
import type { FinalizeDeps } from './finalize-call';
import { recoverOrphanedCalls, type RecoveryOptions } from './recover-calls';
import { dialogColumns } from './sip-dialog-column';
import type { LegDialogSnapshot } from '../telephony/call/call-leg-types';
import { ledgerForCall, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';

const rates = { spark: 2, bolt: 5, storm: 9 };
const STALE_MS = 30_000;

interface Ctx {
  store: Store;
  clock: FakeClock;
  repo: CallRepo;
  emitter: RecordingEmitter;
  deps: FinalizeDeps;
  orgId: number;
}

/** Two servers on one database: "a" runs calls, "b" (and "c") recover. */
describeEachDialect<Ctx>(
  'recovering calls with several servers on one database',
  async (dialect) => {
    const store = await openTestStore(dialect);
    const clock = new FakeClock('2026-03-01T10:00:00.000Z');
    const emitter = new RecordingEmitter();
    const deps: FinalizeDeps = { db: store.db, clock, rateCentsPerMinute: rates, events: emitter };
    const orgId = await seedOrg(store, clock, 10_000, 100);
    return { store, clock, repo: new CallRepo(store.db, dialect, clock), emitter, deps, orgId };
  },
  (c) => c.store.destroy(),
  (get) => {
    const opts = (instance: string, extra: Partial<RecoveryOptions> = {}): RecoveryOptions => ({
      instance,
      staleAfterMs: STALE_MS,
      isOwnerGone: () => false,
      ...extra,
    });

    async function answeredCallOf(owner: string): Promise<number> {
      const { store, clock, repo, orgId } = get();
      const call = await seedOutboundCall(store.db, clock, orgId);
      assert.equal((await repo.admit(call.id, owner, 100, RATES)).kind, 'admitted');
      await repo.markAnswered(call.id);
      return call.id;
    }

    test('a live call of another server with a fresh heartbeat is not recovered; once its heartbeat is stale it is', async () => {
      const { clock, repo, deps, emitter } = get();
      const live = await answeredCallOf('host-a/101/x');
      clock.advance(25_000);
      await repo.heartbeat([live], 'host-a/101/x');
      clock.advance(25_000); // 50 s since it started, but only 25 s since its last heartbeat
      assert.deepEqual((await recoverOrphanedCalls(repo, deps, opts('host-b/202/y'), silentLogger)).recovered, []);
      const row = await repo.get(live.valueOf());
      assert.equal(row?.status, 'in_progress');
      assert.equal(row?.owner_instance, 'host-a/101/x', 'the owner keeps its call');
      assert.ok(!emitter.events.some((e) => e.data.call_id === live));

      clock.advance(STALE_MS); // server a stops heartbeating (it died)
      assert.deepEqual((await recoverOrphanedCalls(repo, deps, opts('host-b/202/y'), silentLogger)).recovered, [live]);
      const done = await repo.get(live);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.end_reason, 'error');
      assert.equal(done?.billable_minutes, 1, 'billed up to the last heartbeat (25 s) → 1 minute');
    });

    test('an answered call with a persisted dialog gets a BYE before it is finalized; no dialog or never answered: none', async () => {
      const { store, clock, repo, deps } = get();
      const snapshot: LegDialogSnapshot = {
        dialog: {
          callId: 'abc123@127.0.0.1',
          localTag: 'ours1',
          remoteTag: 'theirs1',
          localHeader: '<sip:+15550001111@127.0.0.1>;tag=ours1',
          remoteHeader: '<sip:+15550002222@trunk.example>;tag=theirs1',
          routeSet: ['<sip:proxy.example;lr>'],
          localSeq: 2,
          remoteSeq: undefined,
          remoteTarget: 'sip:trunk@198.51.100.4:5060',
        },
        transport: 'udp',
        destination: { transport: 'udp', address: '198.51.100.4', port: 5060 },
      };
      const withDialog = await answeredCallOf('host-a/101/x');
      await repo.update(withDialog, dialogColumns(snapshot));
      const noDialog = await answeredCallOf('host-a/101/x');
      const garbled = await answeredCallOf('host-a/101/x');
      await repo.update(garbled, { sip_dialog: '{"dialog":{"callId":1}}' });
      const sent: { snapshot: LegDialogSnapshot; statusAtBye: string | undefined }[] = [];
      clock.advance(STALE_MS + 1000);
      const report = await recoverOrphanedCalls(
        repo,
        deps,
        opts('host-b/202/y', {
          sendBye: async (s) => {
            const row = await store.db
              .selectFrom('calls')
              .select('status')
              .where('sip_call_id', '=', s.dialog.callId)
              .executeTakeFirst();
            sent.push({ snapshot: s, statusAtBye: row?.status });
            return { status: 200 };
          },
        }),
        silentLogger,
      );
      assert.deepEqual([...report.recovered].sort(), [withDialog, noDialog, garbled].sort());
      assert.equal(sent.length, 1, 'one BYE: only the call whose dialog is known');
      assert.deepEqual(sent[0]?.snapshot, JSON.parse(JSON.stringify(snapshot)));
      assert.equal(sent[0]?.statusAtBye, 'in_progress', 'the BYE goes out before the call is finalized');
      for (const id of [withDialog, noDialog, garbled]) {
        assert.equal((await repo.get(id))?.status, 'completed');
        assert.equal((await ledgerForCall(store.db, id)).length, 1, 'billed once');
      }
    });

    test('a dialing call that never heartbeated counts from dialed_at', async () => {
      const { store, clock, repo, deps, orgId } = get();
      const call = await seedOutboundCall(store.db, clock, orgId);
      await repo.admit(call.id, 'host-a/101/x', 100, RATES);
      await store.db.updateTable('calls').set({ heartbeat_at: null }).where('id', '=', call.id).execute();
      clock.advance(STALE_MS - 1000);
      assert.deepEqual((await recoverOrphanedCalls(repo, deps, opts('host-b/202/y'), silentLogger)).recovered, []);
      clock.advance(2000);
      assert.deepEqual((await recoverOrphanedCalls(repo, deps, opts('host-b/202/y'), silentLogger)).recovered, [
        call.id,
      ]);
      assert.equal((await repo.get(call.id))?.status, 'failed');
    });

    test('two recoverers racing over stale calls finalize, bill and report each call exactly once', async () => {
      const { store, clock, repo, deps, emitter } = get();
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push(await answeredCallOf('host-a/101/dead'));
      clock.advance(90_000);
      const [b, c] = await Promise.all([
        recoverOrphanedCalls(repo, deps, opts('host-b/202/y'), silentLogger),
        recoverOrphanedCalls(new CallRepo(store.db, store.dialect, clock), deps, opts('host-c/303/z'), silentLogger),
      ]);
      assert.deepEqual(
        [...b.recovered, ...c.recovered].sort((x, y) => x - y),
        ids,
      );
      for (const id of ids) {
        assert.equal((await ledgerForCall(store.db, id)).length, 1, `call ${id} billed once`);
        assert.equal(emitter.events.filter((e) => e.type === 'telephony.complete' && e.data.call_id === id).length, 1);
      }
    });

    test('the claim is guarded: only one claimant wins, and a heartbeat that arrives in between keeps the call', async () => {
      const { clock, repo } = get();
      const stale = await answeredCallOf('host-a/101/x');
      const revived = await answeredCallOf('host-a/101/x');
      clock.advance(40_000);
      const cutoff = new Date(clock.nowMs() - STALE_MS).toISOString();
      assert.deepEqual(
        (await repo.findOrphans('host-b/202/y', cutoff))
          .map((r) => r.id)
          .filter((id) => id === stale || id === revived),
        [stale, revived],
      );
      assert.equal(await repo.claimOrphan(stale, 'host-a/101/x', 'host-b/202/y', cutoff, false), true);
      assert.equal(await repo.claimOrphan(stale, 'host-a/101/x', 'host-c/303/z', cutoff, false), false);
      await repo.heartbeat(revived, 'host-a/101/x'); // server a was only slow
      assert.equal(await repo.claimOrphan(revived, 'host-a/101/x', 'host-b/202/y', cutoff, false), false);
      assert.equal((await repo.get(revived))?.owner_instance, 'host-a/101/x');
      assert.equal((await repo.get(stale))?.owner_instance, 'host-b/202/y');
    });

    test('an owner known gone (dead pid on this host) is recovered at once, even with a fresh heartbeat', async () => {
      const { clock, repo, deps } = get();
      const mine = await answeredCallOf('host-b/99/old-run');
      const other = await answeredCallOf('host-a/101/x');
      clock.advance(1000);
      const gone = (owner: string) => owner === 'host-b/99/old-run';
      const report = await recoverOrphanedCalls(repo, deps, opts('host-b/202/y', { isOwnerGone: gone }), silentLogger);
      assert.ok(report.recovered.includes(mine));
      assert.ok(!report.recovered.includes(other));
      assert.equal((await repo.get(other))?.status, 'in_progress');
    });
  },
);
