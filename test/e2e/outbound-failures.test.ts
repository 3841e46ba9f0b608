import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import { openCallE2e, realAgent, unreachableAiEnv, type CallE2e } from './support/call-e2e-harness';
import { busyTrunk, ringingTrunk, answeringTrunk } from './support/trunk-scenarios';
import { freePort, startSipp, type SippProcess } from './support/sipp-runner';

/*
 * Outbound calls that never connect, each through a sipp trunk that challenges the INVITE with a
 * 401 digest: the call ends `failed` with its telephony reason, costs nothing, and the signed
 * telephony.complete still reaches the customer's receiver. The agent speaks second here
 * (caller_first), so no LLM/STT is ever asked: the configured endpoints point at a closed port.
 */
const CALLER_FIRST = {
  prompt: 'Say hello.',
  voice: 'en-US-James1',
  product: 'spark',
  tools: [],
  speak_order: 'caller_first',
};

for (const dialect of testDialects()) {
  describe(`outbound calls that fail [${dialect}]`, () => {
    let h: CallE2e;
    const sipps: SippProcess[] = [];
    before(async () => {
      h = await openCallE2e(dialect, {
        env: { ...(await unreachableAiEnv()), RING_TIMEOUT_MS: '1500' },
        createAgent: realAgent,
      });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      await h?.close();
    });

    async function failedCall(scenarioXml: string | null, o: { transport?: 'udp' | 'tcp'; password?: string } = {}) {
      const transport = o.transport ?? 'udp';
      let port: number;
      let sipp: SippProcess | undefined;
      if (scenarioXml === null) port = await freePort();
      else {
        sipp = await startSipp({ scenarioXml, transport, workDir: h.workDir, timeoutS: 15 });
        sipps.push(sipp);
        port = sipp.port;
      }
      const { orgId } = await h.newOrg(500);
      const voipId = await h.addTrunk(orgId, { port, transport, ...(o.password ? { password: o.password } : {}) });
      const from = h.uniqueNumber();
      await h.addNumber(orgId, from, { voipId });
      const callId = await h.placeCall(orgId, { from, to: '+15550199999', config: CALLER_FIRST });
      const row = await h.waitForTerminal(callId, 15_000);
      const hook = await h.waitForWebhook('telephony.complete', callId);
      const sippRc = sipp
        ? await Promise.race([sipp.exited, new Promise<number>((r) => setTimeout(() => r(-1), 3000))])
        : 0;
      return { row, hook, sippRc, diag: sipp?.diagnostics() ?? '', orgId };
    }

    test('busy: 486 after digest auth → failed / busy, no charge, webhook sent', async () => {
      const { row, hook, sippRc, diag } = await failedCall(busyTrunk());
      assert.equal(row.status, 'failed');
      assert.equal(row.end_reason, 'busy', diag);
      assert.equal(row.billing_total_cents, 0);
      assert.equal(hook.body.data.status, 'failed');
      assert.equal(hook.body.data.end_reason, 'busy');
      assert.equal(sippRc, 0, `the trunk saw a correct digest and the ACK: ${diag}`);
    });

    test('no answer: the trunk rings past RING_TIMEOUT_MS → CANCEL, failed / no_answer', async () => {
      const { row, sippRc, diag } = await failedCall(ringingTrunk());
      assert.equal(row.status, 'failed');
      assert.equal(row.end_reason, 'no_answer');
      assert.equal(row.billing_total_cents, 0);
      assert.equal(sippRc, 0, `the trunk got CANCEL and the ACK of 487: ${diag}`);
    });

    test('wrong credentials: the trunk challenges again → failed / auth_failed', async () => {
      const { row } = await failedCall(answeringTrunk({ hangUpAfterMs: 500 }), { password: 'not-the-password' });
      assert.equal(row.status, 'failed');
      assert.equal(row.end_reason, 'auth_failed');
      assert.equal(row.billing_total_cents, 0);
    });

    test('unreachable trunk (TCP, nothing listening) → failed / provider_error', async () => {
      const { row, orgId } = await failedCall(null, { transport: 'tcp' });
      assert.equal(row.status, 'failed');
      assert.equal(row.end_reason, 'provider_error');
      const balance = await h.deps.store.db
        .selectFrom('orgs')
        .select('balance_cents')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(balance.balance_cents), 500);
    });

    test('per-org concurrency: with a limit of 1 the second call waits in the queue and dials when the first ends', async () => {
      const trunkA = await startSipp({
        scenarioXml: answeringTrunk({ hangUpAfterMs: 1500 }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 20,
      });
      const trunkB = await startSipp({
        scenarioXml: answeringTrunk({ hangUpAfterMs: 500 }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 20,
      });
      sipps.push(trunkA, trunkB);
      const { orgId } = await h.newOrg(500, 1);
      const fromA = h.uniqueNumber();
      const fromB = h.uniqueNumber();
      await h.addNumber(orgId, fromA, { voipId: await h.addTrunk(orgId, { port: trunkA.port, transport: 'udp' }) });
      await h.addNumber(orgId, fromB, { voipId: await h.addTrunk(orgId, { port: trunkB.port, transport: 'udp' }) });
      const first = await h.placeCall(orgId, { from: fromA, to: '+15550199998', config: CALLER_FIRST });
      const second = await h.placeCall(orgId, { from: fromB, to: '+15550199997', config: CALLER_FIRST });
      const a = await h.waitForTerminal(first, 15_000);
      const b = await h.waitForTerminal(second, 15_000);
      assert.equal(a.status, 'completed');
      assert.equal(b.status, 'completed', 'the waiting call was not failed');
      assert.ok(
        a.end_time && b.dialed_at && b.dialed_at >= a.end_time,
        `second dialed ${b.dialed_at} after the first ended ${a.end_time}`,
      );
      assert.equal(await trunkA.exited, 0, trunkA.diagnostics());
      assert.equal(await trunkB.exited, 0, trunkB.diagnostics());
    });
  });
}
