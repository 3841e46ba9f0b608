import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { testDialects } from '../support/dialects';
import { parseWavHeader } from '../../src/audio/wav';
import { startFakeOpenAiLlmServer, type FakeLlmServer } from '../../src/voice/testing/fake-openai-llm-server';
import { startFakeOpenAiSttServer, type FakeSttServer } from '../../src/voice/testing/fake-openai-stt-server';
import { verifySignature } from '../../src/webhooks/testing/webhook-fixture';
import { openCallE2e, realAgent, type CallE2e } from './support/call-e2e-harness';
import { answeringTrunk } from './support/trunk-scenarios';
import { speechUlaw, startSipp, type SippProcess } from './support/sipp-runner';

/*
 * The product working: POST /v1/call's row + job → our UA dials a sipp trunk that challenges with
 * digest auth, answers, and streams real 8 kHz human speech (Allison: "Weasels have eaten our
 * phone system") after the agent's greeting, then hangs up. STT and LLM are scripted FAKE
 * OpenAI-compatible servers on loopback; TTS is the real espeak-ng.
 */
const GREETING = 'Hello, Acme Dental front desk.';
const REPLY = 'Oh no. A technician is on the way.';
const HEARD = 'Weasels have eaten our phone system.';

for (const dialect of testDialects()) {
  describe(`an answered outbound call [${dialect}]`, () => {
    let h: CallE2e;
    let llm: FakeLlmServer;
    let stt: FakeSttServer;
    const sipps: SippProcess[] = [];
    before(async () => {
      llm = await startFakeOpenAiLlmServer([GREETING, REPLY]);
      stt = await startFakeOpenAiSttServer([HEARD]);
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

    test('caller hangs up → completed / caller_hangup, transcript both roles, recording, one debit, signed webhook', async () => {
      const audio = speechUlaw(h.workDir, 'tt-weasels', 3.0, 6.0);
      const sipp = await startSipp({
        scenarioXml: answeringTrunk({ audioPath: audio, hangUpAfterMs: 9000 }),
        transport: 'udp',
        workDir: h.workDir,
        timeoutS: 30,
      });
      sipps.push(sipp);
      const { orgId, webhookSecret, apiKey } = await h.newOrg(1000);
      const voipId = await h.addTrunk(orgId, { port: sipp.port, transport: 'udp' });
      const from = h.uniqueNumber();
      await h.addNumber(orgId, from, { voipId });
      const placed = await h.api('POST', '/v1/call', apiKey, {
        from_number: from,
        to_number: '+15550123456',
        config: { prompt: 'You are the front desk of Acme Dental.', voice: 'en-US-James1', product: 'spark' },
      });
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      assert.equal(placed.body.status, 'initiated');
      const callId = placed.body.call_id as number;

      const row = await h.waitForTerminal(callId, 25_000);
      assert.equal(await sipp.exited, 0, sipp.diagnostics());
      assert.equal(row.status, 'completed');
      assert.equal(row.end_reason, 'caller_hangup');
      assert.ok(row.answered_at && row.end_time && row.start_time);
      const talkMs = Date.parse(row.end_time) - Date.parse(row.answered_at);
      assert.ok(talkMs > 8000 && talkMs < 11_000, `talk time ${talkMs} ms ≈ the trunk's 9 s`);
      assert.equal(row.duration_seconds, Math.round(talkMs / 1000));

      // Transcript: greeting, the caller's words, the reply — in order, with sane timings.
      const turns = JSON.parse(row.transcript) as { role: string; content: string; start_ms: number; end_ms: number }[];
      const roles = turns.map((t) => t.role);
      assert.deepEqual(
        roles.filter((r) => r === 'user' || r === 'assistant'),
        ['assistant', 'user', 'assistant'],
        `${JSON.stringify(turns)} metrics ${row.metrics} stt ${stt.uploads.length}`,
      );
      assert.equal(turns.find((t) => t.role === 'user')?.content, HEARD);
      for (const t of turns) {
        assert.ok(
          t.start_ms >= 0 && t.end_ms >= t.start_ms && t.end_ms <= talkMs + 500,
          `turn within the call: ${JSON.stringify(t)}`,
        );
      }
      const user = turns.find((t) => t.role === 'user');
      assert.ok(
        user && user.start_ms > 2500 && user.start_ms < 4500,
        `the caller starts speaking ~3.0 s after the answer: ${user?.start_ms}`,
      );
      assert.ok(stt.uploads.length >= 1 && (stt.uploads[0]?.durationMs ?? 0) > 2000, 'STT received the caller speech');

      // Recording: stereo 8 kHz WAV as long as the call.
      assert.ok(row.recording_path);
      const wav = readFileSync(row.recording_path);
      const header = parseWavHeader(wav);
      assert.equal(header?.channels, 2);
      assert.equal(header?.sampleRateHz, 8000);
      const recordedMs = ((statSync(row.recording_path).size - (header?.dataOffset ?? 44)) / 4 / 8000) * 1000;
      assert.ok(Math.abs(recordedMs - talkMs) < 1000, `recording ${recordedMs} ms vs call ${talkMs} ms`);

      // Money: one debit equal to the bill.
      assert.equal(row.billable_minutes, 1);
      assert.equal(row.billing_total_cents, 2);
      const ledger = await h.deps.store.db
        .selectFrom('ledger_entries')
        .selectAll()
        .where('call_id', '=', callId)
        .execute();
      assert.deepEqual(
        ledger.map((e) => e.amount_cents),
        [-(row.billing_total_cents ?? 0)],
      );

      // The API serves the same call, its transcript and a signed recording link.
      const got = await h.api('GET', `/v1/calls/${callId}`, apiKey);
      assert.equal(got.body.status, 'completed');
      assert.equal(got.body.billing_total_cents, 2);
      const transcript = await h.api('GET', `/v1/calls/${callId}/transcript`, apiKey);
      assert.equal(transcript.body.transcripts.length, turns.length);
      const audioLink = await h.api('GET', `/v1/calls/${callId}/audio`, apiKey);
      assert.equal(audioLink.status, 200);
      assert.match(String(audioLink.body.url), /\/recordings\//);

      // Webhook: signed telephony.complete with the documented payload.
      const hook = await h.waitForWebhook('telephony.complete', callId);
      assert.ok(
        verifySignature(webhookSecret, hook.request.raw, hook.request.headers['x-thunderphone-signature']),
        'signature verifies',
      );
      const data = hook.body.data;
      assert.equal(data.status, 'completed');
      assert.equal(data.end_reason, 'caller_hangup');
      assert.equal(data.billing_total_cents, 2);
      assert.equal(data.direction, 'outbound');
      assert.equal(data.transcripts.length, turns.length);
      assert.match(String(data.recording_url), new RegExp(`/recordings/${callId}\\.wav\\?expires=\\d+&signature=`));
    });
  });
}
