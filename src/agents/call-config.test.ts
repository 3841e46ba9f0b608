import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VoiceCatalog, parseFliteVoices } from '../voice/tts/voice-catalog';
import { parseCallConfig } from './call-config';
import { fillPromptVariables, promptPlaceholders } from './prompt-variables';

const voices = new VoiceCatalog(parseFliteVoices('Voices available: kal slt'), 'flite');
const tool = {
  type: 'function',
  function: {
    name: 'lookup_order',
    description: 'Find an order',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  },
  endpoint: { url: 'https://example.com/orders' },
};

test('a minimal config gets the documented defaults', () => {
  const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Slt' }, voices);
  assert.deepEqual(r, {
    ok: true,
    config: {
      prompt: 'Hi',
      voice: 'en-US-Slt',
      product: 'spark',
      thinking_level: null,
      background_track: null,
      acknowledgement_prompt_mode: 'auto',
      acknowledgement_prompt: '',
      tools: [],
    },
  });
});

test('voice_name is an alias of voice; James1 is accepted; thinking level is derived for storm', () => {
  const r = parseCallConfig({ prompt: 'Hi', voice_name: 'en-US-James1', product: 'storm-extra-with-ack' }, voices);
  assert.ok(r.ok);
  assert.equal(r.config.voice, 'en-US-James1');
  assert.equal(r.config.thinking_level, 'extra');
});

test('tools are normalized: method defaults to POST, headers to {}', () => {
  const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Kal', tools: [tool] }, voices);
  assert.ok(r.ok);
  assert.deepEqual(r.config.tools[0]?.endpoint, { url: 'https://example.com/orders', method: 'POST', headers: {} });
});

test('missing, unknown and agent-only keys are field errors', () => {
  const r = parseCallConfig({ max_hold_seconds: 30, inbound_speak_order: 'agent_first', foo: 1 }, voices);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(Object.keys(r.fields).sort(), ['foo', 'inbound_speak_order', 'max_hold_seconds', 'prompt', 'voice']);
});

test('bad values give one message per field', () => {
  const r = parseCallConfig(
    {
      prompt: 'Hi',
      voice: 'nope',
      product: 'zap',
      background_track: 'JAZZ',
      acknowledgement_prompt_mode: 'manual',
      tools: [
        {
          type: 'function',
          function: { name: 'bad name!', description: '', parameters: 'x' },
          endpoint: { url: 'ftp://x', method: 'TRACE', headers: { a: 1 } },
        },
      ],
    },
    voices,
  );
  assert.equal(r.ok, false);
  if (r.ok) return;
  for (const f of [
    'voice',
    'product',
    'background_track',
    'acknowledgement_prompt',
    'tools.0.function.name',
    'tools.0.function.description',
    'tools.0.function.parameters',
    'tools.0.endpoint.url',
    'tools.0.endpoint.method',
    'tools.0.endpoint.headers',
  ])
    assert.ok(r.fields[f], `expected an error on ${f}: ${JSON.stringify(r.fields)}`);
});

test('duplicate tool names and a non-object body are rejected', () => {
  const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Kal', tools: [tool, tool] }, voices);
  assert.equal(r.ok, false);
  assert.equal(parseCallConfig([], voices).ok, false);
  assert.equal(parseCallConfig(null, voices).ok, false);
});

test('prompt placeholders are filled; unknown ones stay visible; values are not re-expanded', () => {
  const prompt = 'Hello {{ name }}, order {{order_id}} is {{status}}.';
  assert.equal(fillPromptVariables(prompt, { name: 'Ada', order_id: 42, status: null }), 'Hello Ada, order 42 is .');
  assert.equal(
    fillPromptVariables(prompt, { name: '{{order_id}}' }),
    'Hello {{order_id}}, order {{order_id}} is {{status}}.',
  );
  assert.equal(fillPromptVariables(prompt, undefined), prompt);
  assert.deepEqual(promptPlaceholders(prompt), ['name', 'order_id', 'status']);
});
