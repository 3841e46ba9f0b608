import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { testDialects } from '../support/dialects';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { ASTERISK_SOUNDS } from '../../src/voice/testing/speech-fixtures';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { startSipp, type SippProcess } from './support/sipp-runner';

/*
 * Voicemail over real SIP: a sipp trunk answers and streams a voicemail greeting made of real
 * recordings (Allison: "Nobody is available to take your call at the moment. Please leave your
 * message after the tone…" and Debian's beep.wav) as PCMU RTP. The agent's voicemail_action is
 * hang_up: our side decides "machine", hangs up (the trunk's scenario waits for our BYE), and the
 * call ends completed / voicemail, billed as answered, with answered_by in the webhook.
 */
function voicemailUlaw(dir: string): string {
  const out = join(dir, 'voicemail-greeting.ulaw');
  const parts = ['vm-nobodyavail', 'vm-intro', 'beep'].map((p) => `${ASTERISK_SOUNDS}/${p}.wav`);
  const r = spawnSync('sox', [...parts, '-r', '8000', '-c', '1', '-t', 'ul', out, 'pad', '0.4', '3']);
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr.toString()}`);
  return out;
}

for (const dialect of testDialects()) {
  describe(`an outbound call answered by voicemail [${dialect}]`, () => {
    let h: CallE2e;
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    const sipps: SippProcess[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer(['Hello, this is Acme Dental calling about your appointment.']);
      stt = await startFakeOpenAiSttServer(['Nobody is available to take your call.']);
      h = await openCallE2e(dialect, {
        env: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: 'fake-model', STT_BASE_URL: stt.baseUrl },
        createAgent: realAgent,
      });
    });
    after(async () => {
      for (const s of sipps) await s.kill();
      await h?.close();
      await llm?.close();
      await stt?.close();
    });

    test('voicemail_action hang_up: the machine is detected, we hang up, end_reason voicemail, billed as answered', async () => {
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: voicemailUlaw(h.workDir) }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 40,
      });
      sipps.push(sipp);
      const { apiKey, from } = await h.orgWithTrunk(sipp.port);
      const agent = await h.api('POST', '/v1/agents', apiKey, {
        name: 'Reminders',
        prompt: 'You remind patients of appointments.',
        voice: 'en-US-James1',
        voicemail_action: 'hang_up',
      });
      assert.equal(agent.status, 201, JSON.stringify(agent.body));
      const placed = await h.api('POST', '/v1/call', apiKey, {
        from_number: from,
        to_number: '+15550123499',
        agent_id: agent.body.id,
      });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const callId = placed.body.call_id as number;

      const row = await h.waitForTerminal(callId, 30_000);
      assert.equal(await sipp.exited, 0, `the trunk got our BYE: ${sipp.diagnostics()}`);
      assert.equal(row.end_reason, 'voicemail');
      assert.equal(row.status, 'completed');
      assert.equal(row.answered_by, 'machine');
      assert.equal(row.billable_minutes, 1);
      assert.equal(row.billing_total_cents, 2);
      const talkMs = Date.parse(row.end_time ?? '') - Date.parse(row.answered_at ?? '');
      assert.ok(talkMs < 8000, `hung up during the greeting, not after it (${talkMs} ms)`);
      const turns = JSON.parse(row.transcript) as { role: string }[];
      assert.ok(!turns.some((t) => t.role === 'assistant'), 'the agent never spoke to the machine');

      const got = await h.api('GET', `/v1/calls/${callId}`, apiKey);
      assert.equal(got.body.answered_by, 'machine');
      assert.ok(got.body.answered_by_decision_ms > 0);
      const hook = await h.waitForWebhook('telephony.complete', callId);
      assert.equal(hook.body.data.end_reason, 'voicemail');
      assert.equal(hook.body.data.answered_by, 'machine');
    });

    test('voicemail_action leave_message: after the beep the agent speaks voicemail_message (variables filled), then hangs up', async () => {
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: voicemailUlaw(h.workDir) }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 40,
      });
      sipps.push(sipp);
      const { apiKey, from } = await h.orgWithTrunk(sipp.port);
      const agent = await h.api('POST', '/v1/agents', apiKey, {
        name: 'Reminders',
        prompt: 'You remind patients of appointments.',
        voice: 'en-US-James1',
        voicemail_action: 'leave_message',
        voicemail_message: 'Hi {{name}}, this is Acme Dental. Please call us back.',
      });
      assert.equal(agent.status, 201, JSON.stringify(agent.body));
      const placed = await h.api('POST', '/v1/call', apiKey, {
        from_number: from,
        to_number: '+15550123498',
        agent_id: agent.body.id,
        variables: { name: 'Sam' },
      });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const callId = placed.body.call_id as number;

      const row = await h.waitForTerminal(callId, 35_000);
      assert.equal(await sipp.exited, 0, `the trunk got our BYE: ${sipp.diagnostics()}`);
      assert.deepEqual([row.status, row.end_reason, row.answered_by], ['completed', 'voicemail', 'machine']);
      const said = (JSON.parse(row.transcript) as { role: string; content: string }[])
        .filter((t) => t.role === 'assistant')
        .map((t) => t.content);
      assert.deepEqual(
        said,
        ['Hi Sam, this is Acme Dental. Please call us back.'],
        `the message, and only it: ${row.transcript}`,
      );
      const greetingMs = 4000; // the recorded greeting and beep last longer than this
      const talkMs = Date.parse(row.end_time ?? '') - Date.parse(row.answered_at ?? '');
      assert.ok(talkMs > greetingMs, `the message came after the greeting (${talkMs} ms)`);
    });
  });
}
