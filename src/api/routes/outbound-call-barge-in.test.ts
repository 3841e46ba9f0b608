import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi, type ApiHarness } from '../../../test/support/api-harness';
import { verifiedNumber } from '../../../test/support/numbers-flow';
import { dialJobPayloads } from '../../../test/support/dial-jobs';
import { conversationFor } from '../../calls/conversation-config';
import { VoiceCatalog } from '../../voice/tts/voice-catalog';
import { ScriptedTrunkVerifier } from '../../numbers/testing/scripted-trunk-verifier';

const verifier = new ScriptedTrunkVerifier();

let seq = 0;
const nextNumber = () => `+1555433${String(1000 + ++seq)}`;
const TO = '+14155550188';
const inline = { prompt: 'Remind the caller of the appointment.', voice: 'en-US-James1' };

async function storedConfig(h: ApiHarness, callId: number) {
  const row = await h.deps.store.db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirstOrThrow();
  return { row, cfg: JSON.parse(row.config) };
}

async function counts(h: ApiHarness): Promise<[number, number]> {
  const calls = await h.deps.store.db.selectFrom('calls').select('id').execute();
  return [calls.length, (await dialJobPayloads(h)).length];
}

describeApi(
  'POST /v1/call: inline config barge_in',
  (h) => {
    test("a good barge_in reaches the call's stored config and its turn-taking; absent or null = defaults", async () => {
      const org = await h().createOrg({ balanceCents: 1000 });
      const from = nextNumber();
      await verifiedNumber(h(), org, from);
      const post = (config: unknown) =>
        h().request('POST', '/v1/call', { key: org.apiKey, body: { from_number: from, to_number: TO, config } });
      const res = await post({ ...inline, barge_in: { min_speech_ms: 1200, min_words: 3, filter_backchannels: true } });
      assert.equal(res.status, 201, res.text);
      const { row, cfg } = await storedConfig(h(), res.body.call_id);
      assert.deepEqual(cfg.barge_in, { min_speech_ms: 1200, min_words: 3, filter_backchannels: true });
      assert.deepEqual(conversationFor(row, new VoiceCatalog([], undefined)).bargeIn, {
        bargeInMinSpeechMs: 1200,
        bargeInMinWords: 3,
        bargeInFilterBackchannels: true,
      });
      for (const config of [inline, { ...inline, barge_in: null }, { ...inline, barge_in: { min_words: null } }]) {
        const plain = await post(config);
        assert.equal(plain.status, 201, plain.text);
        const stored = await storedConfig(h(), plain.body.call_id);
        assert.equal(stored.cfg.barge_in, null, JSON.stringify(config));
        assert.deepEqual(conversationFor(stored.row, new VoiceCatalog([], undefined)).bargeIn, {});
      }
    });

    test('bad barge_in values are 400s naming each setting under config., and create no call', async () => {
      const org = await h().createOrg({ balanceCents: 1000 });
      const from = nextNumber();
      await verifiedNumber(h(), org, from);
      const [calls, jobs] = await counts(h());
      const post = (config: unknown) =>
        h().request('POST', '/v1/call', { key: org.apiKey, body: { from_number: from, to_number: TO, config } });
      const bad = await post({
        ...inline,
        barge_in: { min_speech_ms: 20, min_words: 2.5, filter_backchannels: 'yes', loud: 1 },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.deepEqual(Object.keys(bad.body).sort(), [
        'config.barge_in.filter_backchannels',
        'config.barge_in.loud',
        'config.barge_in.min_speech_ms',
        'config.barge_in.min_words',
      ]);
      for (const msgs of Object.values(bad.body)) assert.ok(Array.isArray(msgs) && typeof msgs[0] === 'string');
      const notObject = await post({ ...inline, barge_in: [700] });
      assert.equal(notObject.status, 400, notObject.text);
      assert.deepEqual(Object.keys(notObject.body), ['config.barge_in']);
      const tooLong = await post({ ...inline, barge_in: { min_speech_ms: 10_001 } });
      assert.deepEqual(Object.keys(tooLong.body), ['config.barge_in.min_speech_ms']);
      assert.deepEqual(await counts(h()), [calls, jobs], 'nothing was created');
    });
  },
  { customize: (deps) => void (deps.trunkVerifier = verifier) },
);
