import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import {
  startFakeOpenAiLlmServer,
  type FakeLlmReply,
  type FakeLlmRequest,
  type FakeLlmServer,
} from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { DEFAULT_AGENT_CONFIG, openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk, callingPhone, transferringTrunk } from './support/trunk-scenarios';
import { speechUlaw, startSipp, type SippProcess } from './support/sipp-runner';

/*
 * The agent acts on the line: it hangs up (end_call → BYE), transfers (transfer_call → REFER,
 * accepted by the trunk with 202 + NOTIFY 200), and a call whose balance runs out ends cleanly.
 * LLM and STT are scripted FAKE servers; the prompt says which script the call follows.
 */
function script(req: FakeLlmRequest): FakeLlmReply {
  const system = String(req.messages.find((m) => m.role === 'system')?.content ?? '');
  const last = req.messages[req.messages.length - 1];
  if (!req.messages.some((m) => m.role === 'user')) return 'Hello, Acme.';
  if (last?.role === 'tool') return 'Done.';
  if (system.includes('MODE:END')) return { text: 'Goodbye!', toolCalls: [{ name: 'end_call', arguments: {} }] };
  if (system.includes('MODE:TRANSFER'))
    return {
      text: 'Transferring you now.',
      toolCalls: [{ name: 'transfer_call', arguments: { number: '+15550007777' } }],
    };
  return 'I see.';
}

for (const dialect of testDialects()) {
  describe(`the agent acts on the line [${dialect}]`, () => {
    let h: CallE2e;
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    const sipps: SippProcess[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer(script);
      stt = await startFakeOpenAiSttServer(['Can you help me?']);
      h = await openCallE2e(dialect, {
        env: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', STT_BASE_URL: stt.baseUrl },
        createAgent: realAgent,
        balanceMinuteMs: 1500,
      });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      await h?.close();
      await llm?.close();
      await stt?.close();
    });

    async function call(scenarioXml: string, prompt: string, balanceCents = 1000) {
      const sipp = await startSipp({ scenarioXml, transport: 'udp', workDir: h.workDir, timeoutS: 30 });
      sipps.push(sipp);
      const { orgId } = await h.newOrg(balanceCents);
      const voipId = await h.addTrunk(orgId, { port: sipp.port, transport: 'udp' });
      const from = h.uniqueNumber();
      await h.addNumber(orgId, from, { voipId });
      const callId = await h.placeCall(orgId, {
        from,
        to: '+15550123456',
        config: { ...DEFAULT_AGENT_CONFIG, prompt },
      });
      const row = await h.waitForTerminal(callId, 25_000);
      const rc = await Promise.race([sipp.exited, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
      return { row, rc, diag: sipp.diagnostics(), orgId, callId };
    }

    test('end_call: the agent says goodbye and hangs up → completed / agent_end, the trunk got our BYE', async () => {
      // The trunk stops sending RTP right after the speech (like trunks with silence suppression):
      // the caller's turn must still end.
      const audio = speechUlaw(h.workDir, 'tt-weasels', 2.5, 0.1);
      const { row, rc, diag } = await call(answeringTrunk({ audioPath: audio }), 'MODE:END You are a receptionist.');
      assert.equal(row.status, 'completed');
      assert.equal(row.end_reason, 'agent_end');
      assert.equal(rc, 0, diag);
      const turns = JSON.parse(row.transcript) as { role: string; content: unknown }[];
      assert.ok(
        turns.some((t) => t.role === 'assistant' && String(t.content).includes('Goodbye')),
        JSON.stringify(turns),
      );
    });

    test('transfer_call: REFER accepted → completed / transfer with transfer_number, webhook carries it', async () => {
      const audio = speechUlaw(h.workDir, 'tt-weasels', 2.5, 6.0);
      const { row, rc, diag, callId } = await call(
        transferringTrunk({ audioPath: audio }),
        'MODE:TRANSFER You are a receptionist.',
      );
      assert.equal(row.end_reason, 'transfer', diag);
      assert.equal(row.transfer_number, '+15550007777');
      assert.equal(row.status, 'completed');
      assert.equal(rc, 0, `the trunk saw REFER, our 200 to its NOTIFY and our BYE: ${diag}`);
      const hook = await h.waitForWebhook('telephony.complete', callId);
      assert.equal(hook.body.data.transfer_number, '+15550007777');
    });

    test('balance running out mid-call: ends with insufficient_balance before the balance would go negative', async () => {
      // 3 cents at 2 ¢/min pays one minute; the guard's minute is shortened to 1.5 s here.
      const { row, orgId } = await call(answeringTrunk({}), 'You are a receptionist.', 3);
      assert.equal(row.status, 'completed');
      assert.equal(row.end_reason, 'insufficient_balance');
      assert.equal(row.billing_total_cents, 2);
      const org = await h.deps.store.db
        .selectFrom('orgs')
        .select('balance_cents')
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(org.balance_cents), 1);
    });

    test('inbound: a sipp caller dials a demo number; the blocking webhook chooses the prompt; completed / caller_hangup', async () => {
      const { orgId } = await h.newOrg(1000);
      const demo = h.uniqueNumber();
      await h.addNumber(orgId, demo, { source: 'demo' });
      const prompt = 'WEBHOOK-CHOSEN PROMPT: you are the night shift.';
      h.rx.script = (req) => {
        const body = JSON.parse(req.raw.toString('utf8') || '{}');
        if (body.type === 'telephony.incoming' && req.path === `/org-${orgId}`)
          return { status: 200, body: JSON.stringify({ prompt, voice: 'en-US-James1' }) };
        return { status: 200, body: '{}' };
      };
      const llmBefore = llm.requests.length;
      const audio = speechUlaw(h.workDir, 'tt-weasels', 2.5, 6.0);
      const caller = await startSipp({
        scenarioXml: callingPhone({ audioPath: audio, hangUpAfterMs: 7000 }),
        transport: 'udp',
        remote: `127.0.0.1:${h.sipPort}`,
        service: demo,
        workDir: h.workDir,
        timeoutS: 30,
      });
      sipps.push(caller);
      assert.equal(await caller.exited, 0, caller.diagnostics());
      const row = await h.deps.store.db
        .selectFrom('calls')
        .selectAll()
        .where('to_number', '=', demo)
        .executeTakeFirstOrThrow();
      const done = await h.waitForTerminal(row.id, 10_000);
      assert.equal(done.direction, 'inbound');
      assert.equal(done.from_number, '+15557654321');
      assert.equal(done.status, 'completed');
      assert.equal(done.end_reason, 'caller_hangup');
      const systemPrompts = llm.requests
        .slice(llmBefore)
        .map((r) => String(r.messages.find((m) => m.role === 'system')?.content ?? ''));
      assert.ok(
        systemPrompts.length > 0 && systemPrompts.every((p) => p.includes('WEBHOOK-CHOSEN PROMPT')),
        'the agent ran with the webhook prompt',
      );
      const turns = JSON.parse(done.transcript) as { role: string }[];
      assert.ok(
        turns.some((t) => t.role === 'user') && turns.some((t) => t.role === 'assistant'),
        JSON.stringify(turns),
      );
      const hook = await h.waitForWebhook('telephony.complete', row.id);
      assert.equal(hook.body.data.direction, 'inbound');
      const ledger = await h.deps.store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('call_id', '=', row.id)
        .execute();
      assert.deepEqual(
        ledger.map((e) => e.amount_cents),
        [-(done.billing_total_cents ?? 0)],
      );
      h.rx.script = () => ({ status: 200, body: '{}' });
    });

    test('inbound: an unknown number gets 404 and no call is created', async () => {
      const before = await h.deps.store.db.selectFrom('calls').select('id').execute();
      const audio = speechUlaw(h.workDir, 'beep', 0, 0);
      const caller = await startSipp({
        scenarioXml: callingPhone({ audioPath: audio, hangUpAfterMs: 100 }),
        transport: 'udp',
        remote: `127.0.0.1:${h.sipPort}`,
        service: '+19995550000',
        workDir: h.workDir,
        timeoutS: 10,
      });
      sipps.push(caller);
      assert.notEqual(await caller.exited, 0, 'the caller was refused');
      assert.match(caller.diagnostics(), /404/);
      const after = await h.deps.store.db.selectFrom('calls').select('id').execute();
      assert.equal(after.length, before.length);
    });
  });
}
