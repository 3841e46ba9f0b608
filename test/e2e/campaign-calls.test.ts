import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../support/dialects';
import { untilValue } from '../support/until';
import { openCallE2e, realAgent, unreachableAiEnv, type CallE2e } from './support/call-e2e-harness';
import { routingTrunk } from './support/trunk-scenarios';
import { authenticatedInvites, startSipp, voicemailGreetingUlaw, type SippProcess } from './support/sipp-runner';
import { startCampaignWorkers } from '../../src/campaigns/start-campaign-workers';

/*
 * A campaign end to end through real SIP calls: the API creates and starts it, the dispatcher
 * (campaigns.dispatch jobs) places the calls through the normal outbound path (calls.dial → SIP
 * INVITE with digest auth) to ONE sipp trunk that, by the dialed number, answers (a person who
 * hangs up), rejects busy, rings without answer, or answers with an answering machine that streams
 * a recorded greeting and a beep as RTP. The agent's voicemail_action is leave_message: after the
 * beep it speaks voicemail_message (the contact's variables filled) and hangs up; voicemail is
 * retried like busy and no-answer. The agent speaks second and hears no person, so no LLM/STT is
 * asked.
 */
const ANSWER = '+1415700';
const BUSY = '+1415800';
const RING = '+1415900';
const VOICEMAIL = '+1415500';
const MAX_ATTEMPTS = 2;

for (const dialect of testDialects()) {
  describe(`campaign through sipp trunks [${dialect}]`, () => {
    let h: CallE2e;
    let dispatcher: { stop(): void } | undefined;
    const sipps: SippProcess[] = [];
    before(async () => {
      h = await openCallE2e(dialect, {
        env: { ...(await unreachableAiEnv()), RING_TIMEOUT_MS: '5000', CAMPAIGN_DISPATCH_INTERVAL_MS: '150' },
        createAgent: realAgent,
      });
      dispatcher = await startCampaignWorkers(h.deps);
    });
    after(async () => {
      dispatcher?.stop();
      for (const s of sipps) await s.kill();
      await h?.close();
    });

    test('20 contacts (answered, busy, no answer, voicemail), retries to max_attempts, the right stats, completed', async () => {
      const trunk = await startSipp({
        scenarioXml: routingTrunk({
          busyMark: '\\+1415800',
          ringMark: '\\+1415900',
          hangUpAfterMs: 300,
          voicemail: { mark: '\\+1415500', audioPath: voicemailGreetingUlaw(h.workDir) },
        }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 170,
        maxCalls: 1000,
        extraArgs: ['-trace_msg'],
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
        voicemail_action: 'leave_message',
        voicemail_message: 'Hi {{first_name}}, this is Acme Dental. Please call us back.',
      });
      assert.equal(agent.status, 201, JSON.stringify(agent.body));
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
        max_attempts: MAX_ATTEMPTS,
        retry_delay_seconds: 1,
      });
      assert.equal(c.status, 201);
      const campaignId = c.body.public_id as string;
      const path = `/v1/campaigns/${campaignId}`;
      const group = (prefix: string, n: number, name: string) =>
        Array.from({ length: n }, (_, i) => ({
          phone_number: `${prefix}${String(1000 + i)}`,
          first_name: `${name}${i}`,
        }));
      const contacts = [
        ...group(ANSWER, 10, 'A'),
        ...group(BUSY, 3, 'B'),
        ...group(RING, 3, 'R'),
        ...group(VOICEMAIL, 4, 'V'),
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
      const retried = 3 + 3 + 4;
      const calls = await h.deps.store.db
        .selectFrom('calls')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('id')
        .execute();
      const callsSeen = calls
        .map(
          (k) =>
            `${k.to_number} ${k.status}/${k.end_reason}/${k.answered_by}/${k.answered_by_ms} ${k.answered_at} → ${k.end_time} ${k.transcript}`,
        )
        .join('\n');
      assert.deepEqual(
        {
          total: stats.total,
          queued: stats.queued,
          in_progress: stats.in_progress,
          completed: stats.completed,
          busy: stats.busy,
          no_answer: stats.no_answer,
          voicemail: stats.voicemail,
          failed: stats.failed,
          cancelled: stats.cancelled,
          finished: stats.finished,
          attempts: stats.attempts,
        },
        {
          total: 20,
          queued: 0,
          in_progress: 0,
          completed: 10,
          busy: 3,
          no_answer: 3,
          voicemail: 4,
          failed: 0,
          cancelled: 0,
          finished: 20,
          attempts: 10 + MAX_ATTEMPTS * retried,
        },
        callsSeen,
      );
      const campaign = (await h.api('GET', path, apiKey)).body;
      assert.equal(campaign.status, 'completed');

      assert.equal(calls.length, 10 + MAX_ATTEMPTS * retried, 'one call per attempt, nobody twice for one attempt');
      const expectedDials = (n: string) => (n.startsWith(ANSWER) ? 1 : MAX_ATTEMPTS);
      const perNumber = new Map<string, number>();
      for (const k of calls) perNumber.set(k.to_number, (perNumber.get(k.to_number) ?? 0) + 1);
      assert.equal(perNumber.size, 20);
      for (const [n, count] of perNumber) assert.equal(count, expectedDials(n), n);
      // The trunk's side: each contact's INVITEs (with credentials), one SIP call per attempt.
      const invites = authenticatedInvites(trunk.logs());
      assert.deepEqual(
        Object.fromEntries([...invites].map(([n, ids]) => [n, ids.size]).sort()),
        Object.fromEntries(contacts.map((k) => [k.phone_number, expectedDials(k.phone_number)]).sort()),
      );

      // What each kind of answer left on its calls.
      const outcome = (prefix: string) =>
        new Set(calls.filter((k) => k.to_number.startsWith(prefix)).map((k) => `${k.status}/${k.end_reason}`));
      assert.deepEqual([...outcome(BUSY)], ['failed/busy']);
      assert.deepEqual([...outcome(RING)], ['failed/no_answer']);
      assert.deepEqual([...outcome(VOICEMAIL)], ['completed/voicemail']);
      assert.equal(outcome(ANSWER).size, 1);
      assert.equal([...outcome(ANSWER)][0]?.startsWith('completed/'), true);
      for (const k of calls.filter((x) => x.to_number.startsWith(VOICEMAIL))) {
        assert.equal(k.answered_by, 'machine', k.to_number);
        const said = (JSON.parse(k.transcript) as { role: string; content: string }[])
          .filter((t) => t.role === 'assistant')
          .map((t) => t.content);
        const name = contacts.find((x) => x.phone_number === k.to_number)?.first_name ?? '';
        const message = `Hi ${name}, this is Acme Dental. Please call us back.`;
        // The agent may have started while the answer was undecided (the greeting hold ran out), but
        // the machine got the message once, last, with the contact's variables.
        assert.equal(said.at(-1), message, `${k.to_number}: ${k.transcript}`);
        assert.equal(said.filter((x) => x === message).length, 1, k.to_number);
      }
      // A retry is placed only after the previous attempt ended and the delay passed.
      for (const n of perNumber.keys()) {
        const attempts = calls.filter((k) => k.to_number === n);
        for (let i = 1; i < attempts.length; i++) {
          const prevEnd = Date.parse(attempts[i - 1]?.end_time ?? '');
          const next = Date.parse(attempts[i]?.created_at ?? '');
          assert.ok(next - prevEnd >= 1000, `${n}: attempt ${i + 1} waited for the retry delay`);
        }
      }
      const answered = calls.find((k) => k.to_number === `${ANSWER}1003`);
      assert.deepEqual(JSON.parse(answered?.variables ?? ''), { first_name: 'A3' });
      // Each call names its campaign by public_id: on the call object, the list filter and telephony.complete.
      const one = await h.api('GET', `/v1/calls/${answered?.id}`, apiKey);
      assert.equal(one.body.campaign_id, campaignId);
      const listed = await h.api('GET', `/v1/calls?campaign_id=${campaignId}&limit=100`, apiKey);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.equal(listed.body.total, calls.length);
      assert.ok(listed.body.results.every((k: any) => k.campaign_id === campaignId));
      const hook = await h.waitForWebhook('telephony.complete', Number(answered?.id));
      assert.equal(hook.body.data.campaign_id, campaignId);
      const contactsAfter = (await h.api('GET', `${path}/contacts?limit=100`, apiKey)).body.results;
      assert.ok(contactsAfter.every((k: any) => k.last_call_id !== null));
      // The ledger: answered calls (people and machines) were billed, the others cost nothing.
      const billed = await h.deps.store.db
        .selectFrom('ledger_entries')
        .select('id')
        .where('org_id', '=', orgId)
        .where('kind', '=', 'call_charge')
        .execute();
      assert.equal(billed.length, 10 + MAX_ATTEMPTS * 4);
    });
  });
}
