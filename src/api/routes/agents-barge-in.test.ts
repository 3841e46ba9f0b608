import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeApi } from '../../../test/support/api-harness';
import { conversationFor } from '../../calls/conversation-config';
import { VoiceCatalog } from '../../voice/tts/voice-catalog';
import type { CallRow } from '../../calls/call-repo';

const minimal = { name: 'Receptionist', prompt: 'You answer the phone.', voice: 'en-US-James1' };

describeApi('agents API: barge_in', (h) => {
  test('barge_in is saved, changed key by key, and null restores the platform defaults', async () => {
    const org = await h().createOrg();
    const key = org.apiKey;
    const created = await h().request('POST', '/v1/agents', {
      key,
      body: { ...minimal, barge_in: { min_speech_ms: 1200, min_words: 3 } },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.barge_in, { min_speech_ms: 1200, min_words: 3 });
    const id = created.body.id;
    const patched = await h().request('PATCH', `/v1/agents/${id}`, {
      key,
      body: { barge_in: { min_words: 4, filter_backchannels: false } },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.barge_in, { min_words: 4, filter_backchannels: false }, 'the object is replaced');
    assert.deepEqual((await h().request('GET', `/v1/agents/${id}`, { key })).body.barge_in, patched.body.barge_in);
    const other = await h().request('PATCH', `/v1/agents/${id}`, { key, body: { name: 'Front desk' } });
    assert.deepEqual(other.body.barge_in, patched.body.barge_in, 'other edits keep it');
    const cleared = await h().request('PATCH', `/v1/agents/${id}`, { key, body: { barge_in: null } });
    assert.equal(cleared.body.barge_in, null);
  });

  test('bad barge_in values are 400s naming each setting, and change nothing', async () => {
    const org = await h().createOrg();
    const key = org.apiKey;
    const created = await h().request('POST', '/v1/agents', { key, body: { ...minimal, barge_in: { min_words: 2 } } });
    const bad = await h().request('PATCH', `/v1/agents/${created.body.id}`, {
      key,
      body: { barge_in: { min_speech_ms: 20, min_words: 2.5, filter_backchannels: 'yes', loud: 1 } },
    });
    assert.equal(bad.status, 400, bad.text);
    for (const f of ['barge_in.min_speech_ms', 'barge_in.min_words', 'barge_in.filter_backchannels', 'barge_in.loud'])
      assert.ok(Array.isArray(bad.body[f]) && typeof bad.body[f][0] === 'string', `no message for ${f}: ${bad.text}`);
    const notObject = await h().request('PATCH', `/v1/agents/${created.body.id}`, { key, body: { barge_in: 5 } });
    assert.equal(notObject.status, 400);
    assert.deepEqual(
      (await h().request('GET', `/v1/agents/${created.body.id}`, { key })).body.barge_in,
      { min_words: 2 },
      'unchanged',
    );
  });
});

test("a call's barge_in (copied from its agent) overrides the platform's barge-in settings", () => {
  const voices = new VoiceCatalog([], undefined);
  const call = {
    config: JSON.stringify({ prompt: 'p', barge_in: { min_speech_ms: 1500, filter_backchannels: false } }),
    variables: null,
    direction: 'outbound',
    max_hold_seconds: null,
  } as unknown as CallRow;
  assert.deepEqual(conversationFor(call, voices).bargeIn, {
    bargeInMinSpeechMs: 1500,
    bargeInFilterBackchannels: false,
  });
  const none = { ...call, config: JSON.stringify({ prompt: 'p' }) };
  assert.deepEqual(conversationFor(none, voices).bargeIn, {});
});
