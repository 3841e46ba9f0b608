import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';
import { seedOutboundCall } from '../../calls/testing/call-fixtures';
import { finalizeCall } from '../../calls/finalize-call';
import { systemClock } from '../../shared/clock';

describeApi('call page reads: ledger entries, per-turn latency, webhook deliveries', (h) => {
  /** An answered call of 90 s, finalized for real (one debit, telephony.complete in the outbox). */
  const endedCall = async (orgId: number) => {
    const answeredAt = new Date(Date.now() - 90_000).toISOString();
    const call = await seedOutboundCall(h().deps.store.db, systemClock, orgId, {
      answered_at: answeredAt,
      phase: 'answered',
    });
    await finalizeCall(
      {
        db: h().deps.store.db,
        clock: systemClock,
        rateCentsPerMinute: h().config.rateCentsPerMinute,
        events: h().deps.webhooks,
      },
      {
        callId: call.id,
        endReason: 'caller_hangup',
        metrics: {
          answer_to_first_audio_ms: 412.4,
          caller_frames: 4000,
          agent_frames: 3000,
          turns: [
            {
              turn: 1,
              endpointingMs: 600,
              sttMs: 210,
              llmFirstTokenMs: 340,
              ttsFirstAudioMs: 25,
              firstAudioMs: 575,
              totalMs: 1175,
            },
          ],
        },
      },
    );
    return call.id;
  };

  test('the call’s charge, latency turns and webhook deliveries; another org gets 404 for each', async () => {
    const org = await h().createOrg({ balanceCents: 1000 });
    await h().deps.webhooks.endpoints.create(org.id, { label: 'rx', url: 'http://127.0.0.1:9/hook' });
    const callId = await endedCall(org.id);
    const other = await endedCall(org.id);

    const ledger = await h().request('GET', `/v1/calls/${callId}/ledger-entries`, { key: org.apiKey });
    assert.equal(ledger.status, 200, ledger.text);
    assert.equal(ledger.body.length, 1);
    assert.equal(ledger.body[0].kind, 'call_charge');
    assert.equal(ledger.body[0].call_id, callId);
    assert.equal(ledger.body[0].amount_cents, -2 * h().config.rateCentsPerMinute.spark, '90 s → 2 billed minutes');

    const metrics = await h().request('GET', `/v1/calls/${callId}/metrics`, { key: org.apiKey });
    assert.equal(metrics.status, 200, metrics.text);
    assert.equal(metrics.body.answer_to_first_audio_ms, 412);
    assert.deepEqual(metrics.body.turns, [
      {
        turn: 1,
        endpointing_ms: 600,
        stt_ms: 210,
        llm_first_token_ms: 340,
        tts_first_audio_ms: 25,
        first_audio_ms: 575,
        total_ms: 1175,
      },
    ]);

    const deliveries = await h().request('GET', `/v1/calls/${callId}/webhook-deliveries`, { key: org.apiKey });
    assert.equal(deliveries.status, 200, deliveries.text);
    assert.deepEqual(
      deliveries.body.map((d: any) => [d.event_type, d.call_id, d.status]),
      [['telephony.complete', callId, 'pending']],
      'only this call’s events, not the other call’s',
    );
    assert.ok(deliveries.body[0].next_attempt_at !== undefined);
    const log = await h().request('GET', '/v1/developer/webhook-deliveries?limit=10', { key: org.apiKey });
    assert.deepEqual(log.body.map((d: any) => d.call_id).sort(), [callId, other].sort());

    const stranger = await h().createOrg();
    for (const part of ['ledger-entries', 'metrics', 'webhook-deliveries']) {
      const res = await h().request('GET', `/v1/calls/${callId}/${part}`, { key: stranger.apiKey });
      assert.equal(res.status, 404, part);
      assert.equal(res.body.code, 'call_not_found');
    }
    const strangerLog = await h().request('GET', '/v1/developer/webhook-deliveries', { key: stranger.apiKey });
    assert.deepEqual(strangerLog.body, []);
  });

  test('a call that never connected has no ledger entry and empty metrics', async () => {
    const org = await h().createOrg();
    const call = await seedOutboundCall(h().deps.store.db, systemClock, org.id);
    const ledger = await h().request('GET', `/v1/calls/${call.id}/ledger-entries`, { key: org.apiKey });
    assert.deepEqual(ledger.body, []);
    const metrics = await h().request('GET', `/v1/calls/${call.id}/metrics`, { key: org.apiKey });
    assert.deepEqual(metrics.body, {
      call_id: call.id,
      answer_to_first_audio_ms: null,
      caller_frames: null,
      agent_frames: null,
      turns: [],
    });
  });
});
