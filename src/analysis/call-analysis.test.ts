import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../test/support/api-harness';
import { untilValue } from '../../test/support/until';
import { WebhookReceiver } from '../webhooks/testing/webhook-receiver';
import { verifySignature } from '../webhooks/testing/webhook-fixture';
import {
  startFakeOpenAiLlmServer,
  type FakeLlmReply,
  type FakeLlmRequest,
  type FakeLlmServer,
} from '../voice/testing/fake-openai-llm-server';
import { CallRepo } from '../calls/call-repo';
import { finalizeCall } from '../calls/finalize-call';
import { RATES, RecordingEmitter, seedOutboundCall } from '../calls/testing/call-fixtures';
import { startAnalysisWorkers } from './start-analysis-workers';
import { systemClock } from '../shared/clock';
import { silentLogger } from '../shared/log';

let rx: WebhookReceiver;
let llm: FakeLlmServer;
/** What the fake LLM answers next (per test). */
let answer: (r: FakeLlmRequest) => FakeLlmReply = () => ({ status: 500 });
before(async () => {
  rx = await WebhookReceiver.start();
  llm = await startFakeOpenAiLlmServer((r) => answer(r));
});
after(async () => {
  await rx.close();
  await llm.close();
});

const ANALYSIS = {
  outcome_labels: ['appointment_booked', 'not_interested'],
  extraction_schema: {
    type: 'object',
    properties: { appointment_date: { type: 'string' }, party_size: { type: 'integer' } },
    required: ['appointment_date'],
  },
};
const TRANSCRIPT = [
  { role: 'assistant', content_type: 'text/plain', content: 'Hi, this is Bella Cucina.', start_ms: 0, end_ms: 900 },
  {
    role: 'user',
    content_type: 'text/plain',
    content: 'A table for two on Friday, please.',
    start_ms: 1200,
    end_ms: 3000,
  },
  {
    role: 'assistant',
    content_type: 'text/plain',
    content: 'Booked for Friday at seven.',
    start_ms: 3200,
    end_ms: 4800,
  },
];
const GOOD_ANSWER = JSON.stringify({
  summary: 'The caller booked a table for two on Friday at seven.',
  score: 0.9,
  call_outcome: 'success',
  outcome_label: 'appointment_booked',
  issues: [
    { severity: 'low', description: 'The agent did not confirm the name.' },
    { severity: 'CRITICAL', description: 'The agent promised a discount it cannot give.' },
  ],
  extracted_data: { appointment_date: 'Friday', party_size: 2 },
});

describeApi(
  'post-call analysis',
  (h) => {
    before(async () => {
      const d = h().deps;
      await startAnalysisWorkers({
        db: d.store.db,
        queue: d.queue,
        clock: systemClock,
        log: silentLogger,
        events: d.webhooks,
        llm: { baseUrl: llm.baseUrl, model: 'grader-model', apiKey: 'sk-grader' },
      });
    });

    /** An org, an agent with post_call_analysis, a call.graded endpoint, and an answered call ended by the caller. */
    async function endedCall(path: string) {
      const { deps } = h();
      const org = await h().createOrg();
      const agent = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        body: { name: 'Bella', prompt: 'Book tables.', voice: 'en-US-James1', post_call_analysis: ANALYSIS },
      });
      assert.equal(agent.status, 201, agent.text);
      assert.deepEqual(agent.body.post_call_analysis, { summary: true, grading: true, ...ANALYSIS });
      const ep = await h().request('POST', '/v1/developer/webhook-endpoints', {
        key: org.apiKey,
        body: { label: 'g', url: rx.url(path), events: ['call.graded'] },
      });
      assert.equal(ep.status, 201, ep.text);
      const call = await seedOutboundCall(deps.store.db, systemClock, org.id, {
        agent_id: agent.body.id,
        config: JSON.stringify({
          name: 'Bella',
          prompt: 'Book tables.',
          post_call_analysis: agent.body.post_call_analysis,
        }),
      });
      const repo = new CallRepo(deps.store.db, deps.store.dialect, systemClock);
      assert.equal((await repo.admit(call.id, 'inst', 10, RATES)).kind, 'admitted');
      assert.equal(await repo.markAnswered(call.id), true);
      const done = await finalizeCall(
        {
          db: deps.store.db,
          clock: systemClock,
          rateCentsPerMinute: RATES,
          events: new RecordingEmitter(),
          analysisQueue: deps.queue,
        },
        { callId: call.id, endReason: 'caller_hangup', transcript: TRANSCRIPT },
      );
      assert.equal(done.finalized, true);
      return { org, callId: call.id, secret: ep.body.secret as string, agentId: agent.body.id as number };
    }

    test('an ended call gets a summary, extracted data and a grade, and call.graded arrives signed', async () => {
      answer = () => GOOD_ANSWER;
      const path = `/graded-${h().dialect}`;
      const { org, callId, secret } = await endedCall(path);
      const before = await h().request('GET', `/v1/calls/${callId}`, { key: org.apiKey });
      assert.ok(['pending', 'completed'].includes(before.body.grade_status));
      if (before.body.grade_status === 'pending') assert.equal(before.body.issue_count, 0);

      const delivery = await untilValue('call.graded delivered', () => rx.requests.find((r) => r.path === path));
      assert.ok(verifySignature(secret, delivery.raw, delivery.headers['x-thunderphone-signature']));
      const event = JSON.parse(delivery.raw.toString());
      assert.equal(event.type, 'call.graded');
      assert.equal(event.data.call_id, callId);
      assert.equal(event.data.agent_name, 'Bella');
      assert.deepEqual(event.data.grade, {
        score: 0.9,
        call_outcome: 'success',
        grader_model: 'grader-model',
        summary: 'The caller booked a table for two on Friday at seven.',
        issues: [
          { severity: 'low', description: 'The agent did not confirm the name.' },
          { severity: 'critical', description: 'The agent promised a discount it cannot give.' },
        ],
      });
      assert.equal(event.data.report.outcome_label, 'appointment_booked');

      const call = (await h().request('GET', `/v1/calls/${callId}`, { key: org.apiKey })).body;
      assert.equal(call.grade_status, 'completed');
      assert.equal(call.grade_score, 0.9);
      assert.equal(call.summary, 'The caller booked a table for two on Friday at seven.');
      assert.deepEqual(call.extracted_data, { appointment_date: 'Friday', party_size: 2 });
      assert.ok(call.grade_updated_at);
      assert.equal(call.status, 'completed');
      // The grade's detected issues count on the call object.
      assert.deepEqual([call.issue_count, call.critical_issue_count], [2, 1]);
      const grade = await h().request('GET', `/v1/calls/${callId}/grade`, { key: org.apiKey });
      assert.equal(grade.status, 200);
      assert.equal(grade.body.status, 'completed');
      assert.equal(grade.body.outcome_label, 'appointment_booked');
      assert.equal(grade.body.error, null);
      assert.deepEqual(
        grade.body.issues.map((i: { severity: string }) => i.severity),
        ['low', 'critical'],
      );

      // The LLM saw the conversation, the labels and the schema, as a JSON-mode request with our key.
      const req = llm.requests.find((r) => r.messages.some((m) => (m.content ?? '').includes('table for two')));
      assert.ok(req);
      assert.equal(req.stream, false);
      assert.deepEqual(req.response_format, { type: 'json_object' });
      assert.equal(req.authorization, 'Bearer sk-grader');
      assert.match(req.messages[0]?.content ?? '', /appointment_booked/);
      assert.match(req.messages[0]?.content ?? '', /party_size/);
    });

    test('a failing LLM leaves grade_status failed and the call, its bill and ledger untouched; POST .../grade reruns', async () => {
      answer = () => ({ status: 503 });
      const { org, callId } = await endedCall(`/failing-${h().dialect}`);
      const before = (await h().request('GET', `/v1/calls/${callId}`, { key: org.apiKey })).body;
      const failed = await untilValue('grade failed', async () => {
        const g = await h().request('GET', `/v1/calls/${callId}/grade`, { key: org.apiKey });
        return g.body.status === 'failed' ? g.body : undefined;
      });
      assert.match(failed.error, /HTTP 503/);
      const after = (await h().request('GET', `/v1/calls/${callId}`, { key: org.apiKey })).body;
      assert.equal(after.grade_status, 'failed');
      for (const k of [
        'status',
        'end_reason',
        'billable_minutes',
        'billing_total_cents',
        'billed_at',
        'duration_seconds',
      ])
        assert.deepEqual(after[k], before[k], k);
      assert.equal(after.summary, null);
      assert.equal(after.grade_score, null);

      // An answer that breaks the user's schema fails too (after its retry).
      answer = () => JSON.stringify({ ...JSON.parse(GOOD_ANSWER), extracted_data: { party_size: 'two' } });
      const rerun = await h().request('POST', `/v1/calls/${callId}/grade`, { key: org.apiKey });
      assert.equal(rerun.status, 202, rerun.text);
      assert.equal(rerun.body.status, 'pending');
      const bad = await untilValue('schema failure', async () => {
        const g = await h().request('GET', `/v1/calls/${callId}/grade`, { key: org.apiKey });
        return g.body.status === 'failed' && /schema/.test(g.body.error ?? '') ? g.body : undefined;
      });
      assert.match(bad.error, /appointment_date|party_size/);

      answer = () => GOOD_ANSWER;
      assert.equal((await h().request('POST', `/v1/calls/${callId}/grade`, { key: org.apiKey })).status, 202);
      const done = await untilValue('rerun completed', async () => {
        const g = await h().request('GET', `/v1/calls/${callId}/grade`, { key: org.apiKey });
        return g.body.status === 'completed' ? g.body : undefined;
      });
      assert.equal(done.score, 0.9);
    });

    test("grades are tenant-scoped: another org's call is 404; a live or never-graded call is refused", async () => {
      answer = () => GOOD_ANSWER;
      const { callId } = await endedCall(`/scoped-${h().dialect}`);
      const other = await h().createOrg();
      const get = await h().request('GET', `/v1/calls/${callId}/grade`, { key: other.apiKey });
      assert.equal(get.status, 404);
      assert.equal(get.body.code, 'call_not_found');
      const post = await h().request('POST', `/v1/calls/${callId}/grade`, { key: other.apiKey });
      assert.equal(post.status, 404);
      assert.equal(post.body.code, 'call_not_found');

      const live = await seedOutboundCall(h().deps.store.db, systemClock, other.id);
      const never = await h().request('GET', `/v1/calls/${live.id}/grade`, { key: other.apiKey });
      assert.equal(never.status, 404);
      assert.equal(never.body.code, 'grade_not_found');
      const refused = await h().request('POST', `/v1/calls/${live.id}/grade`, { key: other.apiKey });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'call_not_ended');
    });

    test('post_call_analysis and voicemail settings are validated with field messages', async () => {
      const org = await h().createOrg();
      const bad = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        body: {
          name: 'x',
          prompt: 'p',
          voice: 'en-US-James1',
          voicemail_action: 'leave_message',
          post_call_analysis: {
            extraction_schema: { type: 'object', properties: { a: { type: 'nonsense' } } },
            outcome_labels: [''],
            colour: 'red',
          },
        },
      });
      assert.equal(bad.status, 400);
      assert.ok(bad.body['post_call_analysis.extraction_schema']);
      assert.ok(bad.body['post_call_analysis.outcome_labels']);
      assert.ok(bad.body['post_call_analysis.colour']);
      assert.deepEqual(bad.body.voicemail_message, ['Required when voicemail_action is "leave_message".']);
      const wrongAction = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        body: { name: 'x', prompt: 'p', voice: 'en-US-James1', voicemail_action: 'shout' },
      });
      assert.deepEqual(wrongAction.body.voicemail_action, ['Must be one of hang_up, leave_message, continue.']);
      const ok = await h().request('POST', '/v1/agents', {
        key: org.apiKey,
        body: { name: 'x', prompt: 'p', voice: 'en-US-James1' },
      });
      assert.equal(ok.body.voicemail_action, 'continue');
      assert.equal(ok.body.voicemail_message, '');
      assert.equal(ok.body.post_call_analysis, null);
    });
  },
  { startWebhookWorkers: true, env: { ALLOW_PRIVATE_TARGETS: 'loopback' } },
);
