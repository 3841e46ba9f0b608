import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { describeApi, type ApiHarness } from '../../../test/support/api-harness';
import { signRecordingUrl } from '../../calls/recording-url';
import type { Row } from '../../store/tables';

const dir = mkdtempSync(join(tmpdir(), 'tp-calls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TRANSCRIPT = [
  { role: 'assistant', content_type: 'text/plain', content: 'Hello, this is Acme.', start_ms: 100, end_ms: 1500 },
  { role: 'user', content_type: 'text/plain', content: 'Where is my order?', start_ms: 2000, end_ms: 3000 },
  {
    role: 'tool_call',
    content_type: 'application/json',
    content: { name: 'check_order', arguments: { id: '42' } },
    start_ms: 3100,
    end_ms: 3100,
  },
  {
    role: 'tool_response',
    content_type: 'application/json',
    content: { status: 'shipped' },
    start_ms: 3300,
    end_ms: 3300,
  },
  { role: 'assistant', content_type: 'text/plain', content: 'It ships today.', start_ms: 3500, end_ms: 4800 },
];

async function seedCall(h: ApiHarness, orgId: number, o: Partial<Row<'calls'>> = {}): Promise<Row<'calls'>> {
  const now = o.created_at ?? new Date().toISOString();
  return h.deps.store.db
    .insertInto('calls')
    .values({
      org_id: orgId,
      agent_id: null,
      phone_number_id: null,
      direction: 'outbound',
      from_number: '+15550001111',
      to_number: '+15550002222',
      status: 'in_progress',
      config: '{}',
      variables: '{}',
      product: 'spark',
      voice: 'en-US-James1',
      transcript: '[]',
      metrics: '{}',
      is_test_call: 0,
      created_at: now,
      updated_at: now,
      ...o,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

describeApi('calls API', (h) => {
  test('GET /v1/calls: envelope, newest first, paging, every filter; another org sees nothing', async () => {
    const org = await h().createOrg();
    const other = await h().createOrg();
    const a = await seedCall(h(), org.id, { created_at: '2026-01-01T10:00:00.000Z', agent_id: 7, status: 'completed' });
    const b = await seedCall(h(), org.id, {
      created_at: '2026-01-02T10:00:00.000Z',
      direction: 'inbound',
      to_number: '+15559990000',
      status: 'failed',
    });
    const c = await seedCall(h(), org.id, { created_at: '2026-01-03T10:00:00.000Z', from_number: '+15553334444' });
    await seedCall(h(), other.id, { created_at: '2026-01-04T10:00:00.000Z' });
    const list = await h().request('GET', '/v1/calls', { key: org.apiKey });
    assert.equal(list.status, 200);
    assert.deepEqual([list.body.total, list.body.limit, list.body.offset], [3, 50, 0]);
    assert.deepEqual(
      list.body.results.map((x: any) => x.call_id),
      [c.id, b.id, a.id],
    );
    const page = await h().request('GET', '/v1/calls?limit=1&offset=1', { key: org.apiKey });
    assert.deepEqual([page.body.results.map((x: any) => x.call_id), page.body.total], [[b.id], 3]);
    const ids = async (q: string) =>
      (await h().request('GET', `/v1/calls?${q}`, { key: org.apiKey })).body.results.map((x: any) => x.call_id);
    assert.deepEqual(await ids('agent_id=7'), [a.id]);
    assert.deepEqual(await ids('direction=inbound'), [b.id]);
    assert.deepEqual(await ids('status=in_progress'), [c.id]);
    assert.deepEqual(await ids('from_number=%2B15553334444'), [c.id]);
    assert.deepEqual(await ids('to_number=%2B15559990000'), [b.id]);
    assert.deepEqual(await ids('start_date=2026-01-02T00:00:00Z&end_date=2026-01-02T23:59:59Z'), [b.id]);
    assert.deepEqual(await ids('start_date=2026-01-02T00:00:00Z'), [c.id, b.id]);
    assert.equal((await h().request('GET', '/v1/calls?limit=1001', { key: org.apiKey })).status, 400);
    assert.equal((await h().request('GET', '/v1/calls?status=ringing', { key: org.apiKey })).status, 400);
    assert.equal((await h().request('GET', '/v1/calls?start_date=yesterday', { key: org.apiKey })).status, 400);
    const theirs = await h().request('GET', '/v1/calls', { key: other.apiKey });
    assert.equal(theirs.body.total, 1);
    assert.equal((await h().request('GET', '/v1/calls')).status, 401);
  });

  test('GET /v1/calls/{id} has every documented field; transcript and history', async () => {
    const org = await h().createOrg();
    const call = await seedCall(h(), org.id, {
      status: 'completed',
      end_reason: 'transfer',
      transfer_number: '+15557778888',
      start_time: '2026-02-01T10:00:00.000Z',
      dialed_at: '2026-02-01T10:00:00.000Z',
      answered_at: '2026-02-01T10:00:05.000Z',
      end_time: '2026-02-01T10:01:05.000Z',
      duration_seconds: 60,
      billable_minutes: 1,
      billing_total_cents: 2,
      billed_at: '2026-02-01T10:01:05.000Z',
      answered_by: 'machine',
      answered_by_ms: 2620,
      answered_by_guess_ms: 760,
      transcript: JSON.stringify(TRANSCRIPT),
      // Per-turn figures as the controller stores them; the third turn was never answered.
      metrics: JSON.stringify({
        turns: [
          {
            turn: 1,
            agentStartMs: 3500,
            endpointingMs: 300,
            sttMs: 20,
            llmFirstTokenMs: 310,
            ttsFirstAudioMs: 40,
            firstAudioMs: 380,
            totalMs: 680,
          },
          {
            turn: 2,
            endpointingMs: 600,
            sttMs: 30,
            llmFirstTokenMs: 290,
            ttsFirstAudioMs: 50,
            firstAudioMs: 400,
            totalMs: 1000,
          },
          {
            turn: 3,
            endpointingMs: 300,
            sttMs: 10,
            llmFirstTokenMs: null,
            ttsFirstAudioMs: null,
            firstAudioMs: null,
            totalMs: null,
          },
        ],
      }),
      created_at: '2026-02-01T09:59:59.000Z',
    });
    await h()
      .deps.store.db.insertInto('call_events')
      .values({
        call_id: call.id,
        org_id: org.id,
        type: 'call.ringing',
        data: '{}',
        created_at: '2026-02-01T10:00:01.000Z',
      })
      .execute();
    const res = await h().request('GET', `/v1/calls/${call.id}`, { key: org.apiKey });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      call_id: call.id,
      agent_id: null,
      direction: 'outbound',
      from_number: '+15550001111',
      to_number: '+15550002222',
      start_time: '2026-02-01T10:00:00.000Z',
      end_time: '2026-02-01T10:01:05.000Z',
      duration_seconds: 60,
      status: 'completed',
      end_reason: 'transfer',
      transfer_number: '+15557778888',
      recording_url: null,
      is_test_call: false,
      is_simulation: false,
      product: 'spark',
      voice: 'en-US-James1',
      billable_minutes: 1,
      billing_total_cents: 2,
      billed_at: '2026-02-01T10:01:05.000Z',
      grade_score: null,
      grade_status: null,
      grade_updated_at: null,
      issue_count: 0,
      critical_issue_count: 0,
      summary: null,
      created_at: '2026-02-01T09:59:59.000Z',
      agent_version: null,
      extracted_data: null,
      answered_by: 'machine',
      answered_by_decision_ms: 2620,
      answered_by_guess_ms: 760,
      campaign_id: null,
      // Retell-style latency object over the answered turns (nearest-rank percentiles, ms).
      latency: {
        e2e: { p50: 680, p90: 1000, min: 680, max: 1000, num: 2 },
        endpointing: { p50: 300, p90: 600, min: 300, max: 600, num: 3 },
        stt: { p50: 20, p90: 30, min: 10, max: 30, num: 3 },
        llm: { p50: 290, p90: 310, min: 290, max: 310, num: 2 },
        tts: { p50: 40, p90: 50, min: 40, max: 50, num: 2 },
      },
    });
    const tr = await h().request('GET', `/v1/calls/${call.id}/transcript`, { key: org.apiKey });
    assert.deepEqual(tr.body, { call_id: call.id, transcripts: TRANSCRIPT });
    const hist = await h().request('GET', `/v1/calls/${call.id}/history`, { key: org.apiKey });
    assert.equal(hist.status, 200);
    assert.deepEqual(
      hist.body.history.map((e: any) => (e.kind === 'event' ? `${e.at} ${e.type}` : `${e.at} ${e.role}`)),
      [
        '2026-02-01T09:59:59.000Z call.created',
        '2026-02-01T10:00:00.000Z call.dialing',
        '2026-02-01T10:00:01.000Z call.ringing',
        '2026-02-01T10:00:05.000Z call.answered',
        '2026-02-01T10:00:05.100Z assistant',
        '2026-02-01T10:00:07.000Z user',
        '2026-02-01T10:00:08.100Z tool_call',
        '2026-02-01T10:00:08.300Z tool_response',
        '2026-02-01T10:00:08.500Z assistant',
        '2026-02-01T10:01:05.000Z call.ended',
      ],
    );
    // The answer to the caller's turn carries that turn's figures; the greeting answered nobody.
    assert.deepEqual(hist.body.history[8].latency, { e2e: 680, endpointing: 300, stt: 20, llm: 310, tts: 40 });
    assert.equal(hist.body.history[4].latency, undefined);
    assert.deepEqual(hist.body.history.at(-1).data, {
      status: 'completed',
      end_reason: 'transfer',
      transfer_number: '+15557778888',
    });
    assert.deepEqual(hist.body.history[6].content, { name: 'check_order', arguments: { id: '42' } });
  });

  test("a campaign's calls name its public_id (never the internal id); GET /v1/calls?campaign_id= lists only them", async () => {
    const org = await h().createOrg();
    const other = await h().createOrg();
    const db = h().deps.store.db;
    const campaign = async (orgId: number, publicId: string) =>
      db
        .insertInto('campaigns')
        .values({
          public_id: publicId,
          org_id: orgId,
          name: 'Reminders',
          agent_id: null,
          from_number: '+15550001111',
          timezone: 'UTC',
          daily_window_start: '09:00',
          daily_window_end: '17:00',
          max_attempts: 1,
          retry_delay_seconds: 0,
          status: 'running',
          pause_reason: null,
          dispatch_slot: null,
          dispatch_due_at: null,
          consent_at: null,
          started_at: null,
          finished_at: null,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const mine = '1b4e28ba-2fa1-4d2e-883f-0016d3cca427';
    const theirs = '6fa459ea-ee8a-4ca4-894e-db77e160355e';
    const c1 = await campaign(org.id, mine);
    const c2 = await campaign(other.id, theirs);
    const inCampaign = await seedCall(h(), org.id, { campaign_id: c1.id, created_at: '2026-03-01T10:00:00.000Z' });
    const single = await seedCall(h(), org.id, { created_at: '2026-03-01T11:00:00.000Z' });
    await seedCall(h(), other.id, { campaign_id: c2.id });

    const got = await h().request('GET', `/v1/calls/${inCampaign.id}`, { key: org.apiKey });
    assert.equal(got.body.campaign_id, mine);
    assert.equal((await h().request('GET', `/v1/calls/${single.id}`, { key: org.apiKey })).body.campaign_id, null);
    const all = await h().request('GET', '/v1/calls', { key: org.apiKey });
    assert.deepEqual(
      all.body.results.map((x: any) => [x.call_id, x.campaign_id]),
      [
        [single.id, null],
        [inCampaign.id, mine],
      ],
    );
    const filtered = await h().request('GET', `/v1/calls?campaign_id=${mine}`, { key: org.apiKey });
    assert.deepEqual([filtered.body.total, filtered.body.results.map((x: any) => x.call_id)], [1, [inCampaign.id]]);
    // Another org's campaign id finds nothing; a malformed one is a documented 400.
    const foreign = await h().request('GET', `/v1/calls?campaign_id=${theirs}`, { key: org.apiKey });
    assert.deepEqual([foreign.status, foreign.body.total], [200, 0]);
    const bad = await h().request('GET', `/v1/calls?campaign_id=${c1.id}`, { key: org.apiKey });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { campaign_id: ['must match format "uuid"'] });
    const exported = await h().request('GET', `/v1/calls/export?format=json&campaign_id=${mine}`, {
      key: org.apiKey,
    });
    assert.deepEqual(
      exported.body.map((x: any) => [x.call_id, x.campaign_id]),
      [[inCampaign.id, mine]],
    );
  });

  test('audio: 404 without a recording; a signed link that serves the WAV and refuses tampering or expiry', async () => {
    const org = await h().createOrg();
    const none = await seedCall(h(), org.id);
    const noAudio = await h().request('GET', `/v1/calls/${none.id}/audio`, { key: org.apiKey });
    assert.equal(noAudio.status, 404);
    assert.equal(noAudio.body.code, 'recording_not_found');
    const missingFile = await seedCall(h(), org.id, { recording_path: join(dir, 'gone.wav') });
    assert.equal((await h().request('GET', `/v1/calls/${missingFile.id}/audio`, { key: org.apiKey })).status, 404);

    const path = join(dir, `rec-${h().dialect}.wav`);
    const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);
    writeFileSync(path, wav);
    const call = await seedCall(h(), org.id, { recording_path: path, status: 'completed' });
    const res = await h().request('GET', `/v1/calls/${call.id}/audio`, { key: org.apiKey });
    assert.equal(res.status, 200, res.text);
    const url = new URL(res.body.url);
    assert.equal(url.origin, 'http://127.0.0.1:8080');
    assert.equal(url.pathname, `/recordings/${call.id}.wav`);
    assert.ok(Date.parse(res.body.expires_at) > Date.now());
    const got = await h().app.inject({ method: 'GET', url: url.pathname + url.search });
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['content-type'], 'audio/wav');
    assert.deepEqual(got.rawPayload, wav);
    assert.equal(got.headers['accept-ranges'], 'bytes');
    // Audio players seek with byte ranges.
    const part = await h().app.inject({
      method: 'GET',
      url: url.pathname + url.search,
      headers: { range: 'bytes=4-9' },
    });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 4-9/${wav.length}`);
    assert.deepEqual(part.rawPayload, wav.subarray(4, 10));
    const tail = await h().app.inject({
      method: 'GET',
      url: url.pathname + url.search,
      headers: { range: 'bytes=-4' },
    });
    assert.deepEqual(tail.rawPayload, wav.subarray(wav.length - 4));
    const outside = await h().app.inject({
      method: 'GET',
      url: url.pathname + url.search,
      headers: { range: `bytes=${wav.length}-` },
    });
    assert.equal(outside.statusCode, 416);
    assert.ok(
      (await h().request('GET', `/v1/calls/${call.id}`, { key: org.apiKey })).body.recording_url.includes(
        '/recordings/',
      ),
    );

    const sig = url.searchParams.get('signature') ?? '';
    const exp = url.searchParams.get('expires') ?? '';
    const bad = [
      `/recordings/${call.id}.wav?expires=${exp}&signature=${sig.slice(1)}x`,
      `/recordings/${none.id}.wav?expires=${exp}&signature=${sig}`,
      `/recordings/${call.id}.wav?expires=${Number(exp) + 1000}&signature=${sig}`,
      `/recordings/${call.id}.wav`,
    ];
    const expired = new URL(signRecordingUrl(h().config, call.id, Date.now() - 2 * h().config.recordings.urlTtlMs).url);
    bad.push(expired.pathname + expired.search);
    for (const u of bad) {
      const r = await h().app.inject({ method: 'GET', url: u });
      assert.equal(r.statusCode, 403, u);
      assert.equal(JSON.parse(r.body).code, 'invalid_signature');
    }
  });

  test('export: CSV and JSON with the filters, at most 1000 rows', async () => {
    const org = await h().createOrg();
    await seedCall(h(), org.id, {
      created_at: '2026-03-01T10:00:00.000Z',
      status: 'completed',
      end_reason: 'caller_hangup',
    });
    await seedCall(h(), org.id, {
      created_at: '2026-03-02T10:00:00.000Z',
      to_number: '+15551110000',
      end_reason: '=cmd|evil',
    });
    const csv = await h().request('GET', '/v1/calls/export?format=csv', { key: org.apiKey });
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.ok(lines[0]?.startsWith('call_id,agent_id,direction,from_number,to_number'));
    assert.ok(lines[1]?.includes("'=cmd|evil"), lines[1]);
    const json = await h().request('GET', '/v1/calls/export?format=json&status=completed', { key: org.apiKey });
    assert.equal(json.status, 200);
    assert.deepEqual(
      json.body.map((c: any) => c.end_reason),
      ['caller_hangup'],
    );
    assert.equal((await h().request('GET', '/v1/calls/export?format=xml', { key: org.apiKey })).status, 400);
    assert.equal((await h().request('GET', '/v1/calls/export?limit=1001', { key: org.apiKey })).status, 400);
    const other = await h().createOrg();
    assert.deepEqual((await h().request('GET', '/v1/calls/export?format=json', { key: other.apiKey })).body, []);
  });

  test('tenant isolation: another org gets 404 on every call route', async () => {
    const org = await h().createOrg();
    const other = await h().createOrg();
    const call = await seedCall(h(), org.id, { transcript: JSON.stringify(TRANSCRIPT) });
    for (const suffix of ['', '/transcript', '/audio', '/history']) {
      const res = await h().request('GET', `/v1/calls/${call.id}${suffix}`, { key: other.apiKey });
      assert.equal(res.status, 404, suffix);
      assert.equal(res.body.code, 'call_not_found');
    }
    assert.equal((await h().request('GET', `/v1/calls/${call.id}`, { key: org.apiKey })).status, 200);
  });
});
