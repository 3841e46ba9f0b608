import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientEventError, parseClientEvent } from './client-events';
import { parseRealtimeQuery } from './realtime-query';
import { AppError } from '../shared/errors';

test('session.update: the GA shape and the beta shape give the same update', () => {
  const ga = parseClientEvent(
    JSON.stringify({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'Be brief.',
        audio: {
          input: { format: { type: 'audio/pcm', rate: 16000 }, turn_detection: null },
          output: { format: { type: 'audio/pcmu' }, voice: 'en-US-Kal' },
        },
        tools: [{ type: 'function', name: 'lookup', description: 'd', parameters: { type: 'object' } }],
      },
    }),
  );
  const beta = parseClientEvent(
    JSON.stringify({
      type: 'session.update',
      session: {
        instructions: 'Be brief.',
        voice: 'en-US-Kal',
        input_audio_format: 'pcm16',
        output_audio_format: 'g711_ulaw',
        turn_detection: null,
        tools: [{ type: 'function', name: 'lookup', description: 'd', parameters: { type: 'object' } }],
      },
    }),
  );
  assert.equal(ga.type, 'session.update');
  assert.equal(beta.type, 'session.update');
  if (ga.type !== 'session.update' || beta.type !== 'session.update') return;
  assert.deepEqual(ga.session.input, { format: 'pcm16', rateHz: 16000 });
  assert.deepEqual(beta.session.input, { format: 'pcm16' }, 'no rate: the session keeps its own');
  for (const s of [ga.session, beta.session]) {
    assert.equal(s.instructions, 'Be brief.');
    assert.equal(s.voice, 'en-US-Kal');
    assert.equal(s.turnDetection, null);
    assert.deepEqual(s.output, { format: 'g711_ulaw', rateHz: 8000 });
    assert.deepEqual(s.tools, [{ name: 'lookup', description: 'd', parameters: { type: 'object' } }]);
  }
});

test('bad events are ClientEventErrors naming the field and echoing event_id', () => {
  const bad = (text: string) => {
    try {
      parseClientEvent(text);
    } catch (err) {
      assert.ok(err instanceof ClientEventError);
      return { code: err.code, param: err.param, eventId: err.eventId };
    }
    assert.fail(`accepted ${text}`);
  };
  assert.deepEqual(bad('nope'), { code: 'realtime_invalid_event', param: undefined, eventId: undefined });
  assert.equal(bad('{"type":"x.y","event_id":"e1"}').eventId, 'e1');
  assert.equal(bad('{"type":"input_audio_buffer.append","audio":5}').param, 'audio');
  assert.equal(bad('{"type":"conversation.item.truncate","item_id":"i","audio_end_ms":-1}').param, 'audio_end_ms');
  assert.equal(
    bad('{"type":"session.update","session":{"audio":{"input":{"format":{"type":"audio/pcm","rate":44100}}}}}').param,
    'session.audio.input.format',
  );
  assert.equal(bad('{"type":"session.update","session":{"tools":[{"name":"a b"}]}}').param, 'session.tools.0.name');
  assert.equal(
    bad('{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[]}}').param,
    'item.content',
  );
});

test('query: agent_id or model=agent_<id>; inline product from product or model; formats and rates checked', () => {
  assert.deepEqual(parseRealtimeQuery({ model: 'agent_7' }).target, { kind: 'agent', agentId: 7 });
  assert.deepEqual(parseRealtimeQuery({ model: 'storm-base' }).target, {
    kind: 'inline',
    product: 'storm-base',
    language: 'en-US',
  });
  assert.deepEqual(parseRealtimeQuery({ model: 'gpt-realtime' }).target, {
    kind: 'inline',
    product: 'spark',
    language: 'en-US',
  });
  const q = parseRealtimeQuery({ input_audio_format: 'g711_alaw', output_rate: '16000', call_events: '1' });
  assert.deepEqual(q.input, { format: 'g711_alaw', rateHz: 8000 });
  assert.deepEqual(q.output, { format: 'pcm16', rateHz: 16000 });
  assert.equal(q.callEvents, true);
  for (const query of [{ input_rate: '8000' }, { agent_id: '0' }, { to_number: '555' }, { language: 'english!' }])
    assert.throws(
      () => parseRealtimeQuery(query),
      (e: unknown) => e instanceof AppError && e.code === 'realtime_invalid_parameter',
    );
});
