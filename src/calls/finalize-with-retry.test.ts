import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startPrivatePostgres, type PrivatePostgres } from '../../test/support/private-postgres';
import { captureLog, type CapturedLog } from '../../test/support/log-capture';
import { FakeClock } from '../shared/clock';
import { openStore, type Store } from '../store/db';
import { CallRepo } from './call-repo';
import { finalizeCall, type FinalizeDeps } from './finalize-call';
import { FinalizationAbandoned, RetryingFinalizer } from './finalize-with-retry';
import { OutageTolerantCallRepo } from './outage-tolerant-call-repo';
import { ledgerForCall, RATES, RecordingEmitter, seedOrg, seedOutboundCall } from './testing/call-fixtures';
import { until } from '../../test/support/until';

/*
 * Calls that end while PostgreSQL is down (a private server, stopped and started by the test):
 * the finalizer keeps trying and writes status, bill and webhook once the database is back,
 * exactly once.
 */
const rates = { spark: 2, bolt: 5, storm: 9 };
const WAITING = 'call write waits for the database; retrying';

describe('finalizing calls across a PostgreSQL outage', () => {
  let server: PrivatePostgres;
  let store: Store;
  let clock: FakeClock;
  let captured: CapturedLog;
  let emitter: RecordingEmitter;
  let finalizer: RetryingFinalizer;
  let repo: CallRepo;
  let liveRepo: OutageTolerantCallRepo;
  let orgId: number;
  before(async () => {
    server = await startPrivatePostgres();
    captured = captureLog();
    clock = new FakeClock('2026-03-01T10:00:00.000Z');
    store = await openStore(server.url, { log: captured.log, poolSize: 4 });
    emitter = new RecordingEmitter();
    const deps: FinalizeDeps = { db: store.db, clock, rateCentsPerMinute: rates, events: emitter };
    finalizer = new RetryingFinalizer({
      finalize: (input) => finalizeCall(deps, input),
      clock,
      log: captured.log,
      firstDelayMs: 50,
      maxDelayMs: 200,
    });
    repo = new CallRepo(store.db, 'postgres', clock);
    liveRepo = new OutageTolerantCallRepo(store.db, 'postgres', clock, { finalizer, log: captured.log });
    orgId = await seedOrg(store, clock, 1000);
  });
  after(async () => {
    finalizer?.stop();
    await store?.destroy();
    await server?.destroy();
  });

  const completes = (callId: number) =>
    emitter.events.filter((e) => e.type === 'telephony.complete' && e.data.call_id === callId);

  test('a call hung up while the database is down is finalized once it is back: one debit, one telephony.complete', async () => {
    const call = await seedOutboundCall(store.db, clock, orgId);
    assert.equal((await repo.admit(call.id, 'inst-a', 10, RATES)).kind, 'admitted');
    assert.equal(await repo.markAnswered(call.id), true);
    clock.advance(54_000);
    const waitingBefore = captured.withMessage(WAITING).length;
    await server.stop('fast');
    const finalized = finalizer.finalize({ callId: call.id, endReason: 'caller_hangup' });
    const hungUpAtIso = clock.nowIso();
    await until('a failed attempt', () => captured.withMessage(WAITING).length > waitingBefore);
    clock.advance(120_000); // the outage lasts two minutes
    await server.start();
    const result = await finalized;
    assert.equal(result.finalized, true);
    assert.equal(result.call?.status, 'completed');
    assert.equal(result.call?.end_reason, 'caller_hangup');
    assert.equal(result.call?.end_time, hungUpAtIso, 'billed until the hang-up, not until the database came back');
    assert.equal(result.call?.billable_minutes, 1);
    assert.deepEqual(
      (await ledgerForCall(store.db, call.id)).map((e) => [e.amount_cents, e.reference]),
      [[-2, `call:${call.id}`]],
    );
    assert.equal(completes(call.id).length, 1);

    const again = await finalizer.finalize({ callId: call.id, endReason: 'error' });
    assert.equal(again.finalized, false, 'a second finalization changes nothing');
    assert.equal((await ledgerForCall(store.db, call.id)).length, 1);
    assert.equal(completes(call.id).length, 1);
  });

  test('answered while the database is down: the call goes on, the answer time is kept and billed', async () => {
    const call = await seedOutboundCall(store.db, clock, orgId);
    assert.equal((await repo.admit(call.id, 'inst-a', 10, RATES)).kind, 'admitted');
    await server.stop('fast');
    const answeredAtIso = clock.nowIso();
    assert.equal(await liveRepo.transition(call.id, 'ringing'), false, 'ringing is skipped, not thrown');
    assert.equal(await liveRepo.markAnswered(call.id), true, 'the answer does not wait for the database');
    clock.advance(65_000);
    assert.equal(await liveRepo.beginEnding(call.id), false, 'ending is skipped, not thrown');
    const finalized = finalizer.finalize({ callId: call.id, endReason: 'agent_end' });
    await new Promise((r) => setTimeout(r, 300));
    clock.advance(600_000); // a long outage after the hang-up is not talk time
    await server.start();
    const result = await finalized;
    assert.equal(result.finalized, true);
    assert.equal(result.call?.answered_at, answeredAtIso, 'the time of the real answer');
    assert.equal(result.call?.status, 'completed');
    assert.equal(result.call?.billable_minutes, 2);
    assert.deepEqual(
      (await ledgerForCall(store.db, call.id)).map((e) => e.amount_cents),
      [-4],
    );
    assert.equal(completes(call.id).length, 1);
  });

  test('a failure that is not the database is not retried', async () => {
    const call = await seedOutboundCall(store.db, clock, orgId);
    emitter.failNext = true;
    await assert.rejects(finalizer.finalize({ callId: call.id, endReason: 'error' }), /outbox unavailable/);
    const row = await repo.get(call.id);
    assert.equal(row?.status, 'in_progress', 'the transaction rolled back');
  });

  test('shutting down while the database is still down gives up: the call stays in progress for recovery', async () => {
    const call = await seedOutboundCall(store.db, clock, orgId);
    const own = new RetryingFinalizer({
      finalize: (input) => finalizeCall({ db: store.db, clock, rateCentsPerMinute: rates, events: emitter }, input),
      clock,
      log: captured.log,
      firstDelayMs: 50,
    });
    await server.stop('immediate');
    const finalized = own.finalize({ callId: call.id, endReason: 'error' });
    await new Promise((r) => setTimeout(r, 200));
    own.stop();
    await assert.rejects(finalized, FinalizationAbandoned);
    await server.start();
    const row = await repo.get(call.id);
    assert.equal(row?.status, 'in_progress');
  });
});
