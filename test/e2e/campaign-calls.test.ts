import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import { untilValue } from '../support/until';
import { openCallE2e, realAgent, unreachableAiEnv, type CallE2e } from './support/call-e2e-harness';
import { routingTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';
import { startCampaignWorkers } from '../../src/campaigns/start-campaign-workers';

/*
 * A campaign end to end through real SIP calls: the API creates and starts it, the dispatcher
 * (campaigns.dispatch jobs) places the calls through the normal outbound path (calls.dial → SIP
 * INVITE with digest auth) to ONE sipp trunk that answers, rejects busy or rings without answer
 * by the dialed number. The agent speaks second and hears nothing, so no LLM/STT is asked.
 */
const ANSWER = '+1415700';
const BUSY = '+1415800';
const RING = '+1415900';

for (const dialect of testDialects()) {
  describe(`campaign through sipp trunks [${dialect}]`, () => {
    let h: CallE2e;
    let dispatcher: { stop(): void } | undefined;
    const sipps: SippProcess[] = [];
    before(async () => {
      h = await openCallE2e(dialect, {
        env: { ...(await unreachableAiEnv()), RING_TIMEOUT_MS: '1500', CAMPAIGN_DISPATCH_INTERVAL_MS: '150' },
        createAgent: realAgent,
      });
      dispatcher = await startCampaignWorkers(h.deps);
    });
    after(async () => {
      dispatcher?.stop();
      for (const s of sipps) await s.kill();
      await h?.close();
    });

    test('20 contacts (answered, busy, no answer), retries to max_attempts, the right stats, completed', async () => {
      const trunk = await startSipp({
        scenarioXml: routingTrunk({ busyMark: '\\+1415800', ringMark: '\\+1415900', hangUpAfterMs: 300 }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 170,
        maxCalls: 1000,
      });
      sipps.push(trunk);
      const { orgId, apiKey } = await h.newOrg(10_000, 4);
      const from = h.uniqueNumber();
      await h.addNumber(orgId, from, { voipId: await h.addTrunk(orgId, { port: trunk.port, transport: 'udp' }) });
      const agent = await h.api('POST', '/v1/agents', apiKey, {
        name: 'Reminder',
        prompt: 'Remind {{first_name}} of the appointment.',
        voice: 'en-US-James1',
        outbound_speak_order: 'caller_first',
      });
      assert.equal(agent.status, 201);
      await h.deps.store.db
        .insertInto('outbound_attestations')
        .values({ org_id: orgId, attested_by: 'ops', attestation_text: 'ok', attested_at: new Date(0).toISOString() })
        .execute();
      const c = await h.api('POST', '/v1/campaigns', apiKey, {
        name: 'Mixed',
        agent: agent.body.id,
        from_number: from,
        timezone: 'UTC',
        daily_window_start: '00:00',
        daily_window_end: '24:00',
        max_attempts: 2,
        retry_delay_seconds: 0,
      });
      assert.equal(c.status, 201);
      const path = `/v1/campaigns/${c.body.public_id}`;
      const contacts = [
        ...Array.from({ length: 12 }, (_, i) => ({
          phone_number: `${ANSWER}${String(1000 + i)}`,
          first_name: `A${i}`,
        })),
        ...Array.from({ length: 4 }, (_, i) => ({ phone_number: `${BUSY}${String(1000 + i)}` })),
        ...Array.from({ length: 4 }, (_, i) => ({ phone_number: `${RING}${String(1000 + i)}` })),
      ];
      const added = await h.api('POST', `${path}/contacts`, apiKey, { contacts });
      assert.equal(added.body.accepted, 20);
      const start = await h.api('POST', `${path}/start`, apiKey, { consent_to_charge: true });
      assert.equal(start.status, 200);

      let last: any;
      const stats = await untilValue(
        'the campaign completes',
        async () => {
          last = (await h.api('GET', `${path}/stats`, apiKey)).body;
          return last.status === 'completed' ? last : undefined;
        },
        150_000,
        250,
      ).catch((err: Error) => assert.fail(`${err.message}: ${JSON.stringify(last)} ${trunk.diagnostics()}`));
      assert.deepEqual(
        {
          total: stats.total,
          completed: stats.completed,
          busy: stats.busy,
          no_answer: stats.no_answer,
          failed: stats.failed,
          attempts: stats.attempts,
        },
        { total: 20, completed: 12, busy: 4, no_answer: 4, failed: 0, attempts: 12 + 2 * 8 },
      );
      const calls = await h.deps.store.db
        .selectFrom('calls')
        .select(['to_number', 'status', 'end_reason', 'variables', 'campaign_id'])
        .where('org_id', '=', orgId)
        .execute();
      assert.equal(calls.length, 28, 'one call per attempt, nobody twice for one attempt');
      const perNumber = new Map<string, number>();
      for (const k of calls) perNumber.set(k.to_number, (perNumber.get(k.to_number) ?? 0) + 1);
      for (const [n, count] of perNumber) assert.equal(count, n.startsWith(ANSWER) ? 1 : 2, n);
      const answered = calls.find((k) => k.to_number === `${ANSWER}1003`);
      assert.equal(answered?.status, 'completed');
      assert.deepEqual(JSON.parse(answered.variables), { first_name: 'A3' });
      const contactsAfter = (await h.api('GET', `${path}/contacts?limit=100`, apiKey)).body.results;
      assert.ok(contactsAfter.every((k: any) => k.last_call_id !== null));
      // The ledger: answered calls were billed, the others cost nothing.
      const billed = await h.deps.store.db
        .selectFrom('ledger_entries')
        .select('id')
        .where('org_id', '=', orgId)
        .where('kind', '=', 'call_charge')
        .execute();
      assert.equal(billed.length, 12);
    });
  });
}
