import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import type { Row } from '../../src/store/tables';
import type { CallRuntime } from '../../src/calls/call-runtime';
import { openCallE2e, realAgent, unreachableAiEnv, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';

/*
 * Money under concurrency, end to end: an org with 10 ¢ fires 20 parallel POST /v1/call at a
 * sipp trunk (401 digest, answers every call, hangs up after 1.5 s) at 5 ¢/min. Every admission
 * used to see 10 ¢ and every call was dialed and billed (balance −90 ¢). Now each admission holds
 * the first minute atomically: exactly two calls are dialed and billed 5 ¢, the other 18 fail
 * `insufficient_balance` without a SIP INVITE, and the balance ends at exactly 0 — on SQLite, on
 * PostgreSQL, and on PostgreSQL with two servers taking the dial jobs. The agent speaks second
 * (an agent with caller_first) and the trunk sends no audio, so no LLM/STT is ever asked.
 */
const PARALLEL = 20;

interface Outcome {
  rows: Row<'calls'>[];
  balance: number;
  debits: number[];
}

/**
 * Places the calls through the API; their dial jobs run on the queue. With `servers`, each call
 * is also handed at once to one of them (round robin), as if that server's worker had taken the
 * job: several servers then admit calls of the same org at the same moment (dialing is
 * idempotent, so the queue's own run of the job finds the call already taken).
 */
async function parallelCalls(h: CallE2e, sipps: SippProcess[], servers: CallRuntime[] = []): Promise<Outcome> {
  const sipp = await startSipp({
    scenarioXml: answeringTrunk({ hangUpAfterMs: 1500 }),
    transport: 'udp',
    workDir: h.workDir,
    timeoutS: 60,
    maxCalls: PARALLEL,
  });
  sipps.push(sipp);
  const { orgId, apiKey } = await h.newOrg(10, PARALLEL);
  const voipId = await h.addTrunk(orgId, { port: sipp.port, transport: 'udp' });
  const from = h.uniqueNumber();
  await h.addNumber(orgId, from, { voipId });
  const agent = await h.api('POST', '/v1/agents', apiKey, {
    name: 'Front desk',
    prompt: 'You answer the phone.',
    voice: 'en-US-James1',
    product: 'bolt',
    outbound_speak_order: 'caller_first',
  });
  assert.equal(agent.status, 201, JSON.stringify(agent.body));
  const placed = await Promise.all(
    Array.from({ length: PARALLEL }, () =>
      h.api('POST', '/v1/call', apiKey, { from_number: from, to_number: '+15550123456', agent_id: agent.body.id }),
    ),
  );
  for (const p of placed) assert.equal(p.status, 201, JSON.stringify(p.body));
  await Promise.all(
    servers.length === 0 ? [] : placed.map((p, i) => servers[i % servers.length]!.dial(p.body.call_id as number)),
  );
  const rows: Row<'calls'>[] = [];
  for (const p of placed) rows.push(await h.waitForTerminal(p.body.call_id as number, 40_000));
  const org = await h.deps.store.db
    .selectFrom('orgs')
    .select('balance_cents')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  const debits = await h.deps.store.db
    .selectFrom('ledger_entries')
    .select('amount_cents')
    .where('org_id', '=', orgId)
    .where('kind', '=', 'call_charge')
    .execute();
  return { rows, balance: Number(org.balance_cents), debits: debits.map((d) => Number(d.amount_cents)) };
}

function assertExactlyTwoBilled(o: Outcome): void {
  const completed = o.rows.filter((r) => r.status === 'completed');
  const refused = o.rows.filter((r) => r.end_reason === 'insufficient_balance');
  assert.equal(o.balance, 0, `balance ${o.balance} (the balance may reach zero, never below)`);
  assert.equal(completed.length, 2, o.rows.map((r) => `${r.status}/${r.end_reason}`).join(' '));
  assert.deepEqual(
    completed.map((r) => [r.end_reason, r.billable_minutes, r.billing_total_cents]),
    [
      ['caller_hangup', 1, 5],
      ['caller_hangup', 1, 5],
    ],
  );
  assert.deepEqual(o.debits, [-5, -5], 'exactly the admitted calls are billed, once each');
  assert.equal(refused.length, PARALLEL - 2);
  for (const r of refused) {
    assert.equal(r.status, 'failed');
    assert.equal(r.answered_at, null, 'never connected');
    assert.equal(r.billing_total_cents, 0);
  }
}

for (const dialect of testDialects()) {
  describe(`parallel calls never overdraw the balance [${dialect}]`, () => {
    let h: CallE2e;
    const sipps: SippProcess[] = [];
    before(async () => {
      h = await openCallE2e(dialect, {
        env: { ...(await unreachableAiEnv()), RATE_CENTS_PER_MINUTE: 'spark=2,bolt=5,storm=9' },
        createAgent: realAgent,
      });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      await h?.close();
    });

    test(`10 ¢ and ${PARALLEL} parallel POST /v1/call at 5 ¢/min: two calls dialed and billed, balance exactly 0`, async () => {
      assertExactlyTwoBilled(await parallelCalls(h, sipps));
    });

    if (dialect === 'postgres') {
      test('the same with two servers on one database taking the dial jobs', async () => {
        const second = await h.addServer();
        const outcome = await parallelCalls(h, sipps, [h.runtime, second.runtime]);
        assertExactlyTwoBilled(outcome);
        const owners = new Set(outcome.rows.map((r) => r.owner_instance));
        assert.ok(
          [...owners].every((o) => o === h.instance || o === second.instance),
          `owners ${[...owners].join(', ')}`,
        );
        assert.equal(owners.size, 2, 'both servers admitted (or refused) calls');
      });
    }
  });
}
