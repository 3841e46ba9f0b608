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
  const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Slt' }, voices, 'loopback');
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
      barge_in: null,
    },
  });
});

test('voice_name is an alias of voice; James1 is accepted; thinking level is derived for storm', () => {
  const r = parseCallConfig(
    { prompt: 'Hi', voice_name: 'en-US-James1', product: 'storm-extra-with-ack' },
    voices,
    'loopback',
  );
  assert.ok(r.ok);
  assert.equal(r.config.voice, 'en-US-James1');
  assert.equal(r.config.thinking_level, 'extra');
});

test('tools are normalized: method defaults to POST, headers to {}', () => {
  const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Kal', tools: [tool] }, voices, 'loopback');
  assert.ok(r.ok);
  assert.deepEqual(r.config.tools[0]?.endpoint, { url: 'https://example.com/orders', method: 'POST', headers: {} });
});

test('missing, unknown and agent-only keys are field errors', () => {
  const r = parseCallConfig({ max_hold_seconds: 30, inbound_speak_order: 'agent_first', foo: 1 }, voices, 'loopback');
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
    'loopback',
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
  const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Kal', tools: [tool, tool] }, voices, 'loopback');
  assert.equal(r.ok, false);
  assert.equal(parseCallConfig([], voices, 'loopback').ok, false);
  assert.equal(parseCallConfig(null, voices, 'loopback').ok, false);
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

test('tool endpoint addresses are checked when saved, under each ALLOW_PRIVATE_TARGETS policy', () => {
  const withUrl = (url: string) => ({ ...tool, endpoint: { ...tool.endpoint, url } });
  const urlErrors = (url: string, policy: 'none' | 'loopback' | 'all') => {
    const r = parseCallConfig({ prompt: 'Hi', voice: 'en-US-Kal', tools: [withUrl(url)] }, voices, policy);
    return r.ok ? [] : (r.fields['tools.0.endpoint.url'] ?? []);
  };
  const cases: [string, boolean, boolean, boolean][] = [
    // url, allowed under none, loopback, all
    ['https://tools.example.com/lookup', true, true, true],
    ['http://tools.example.com/lookup', true, true, true],
    ['http://169.254.169.254/latest/meta-data/', false, false, true],
    ['http://[::a9fe:a9fe]/', false, false, true],
    ['http://[::ffff:0:a9fe:a9fe]/', false, false, true],
    ['http://[2002:a9fe:a9fe::1]/', false, false, true],
    ['http://[fec0::1]/', false, false, true],
    ['http://10.0.0.5:8080/hook', false, false, true],
    ['http://127.0.0.1:9000/tool', false, true, true],
    ['http://[::7f00:1]:9000/tool', false, true, true],
    ['http://localhost:9000/tool', false, true, true],
  ];
  for (const [url, none, loopback, all] of cases) {
    assert.deepEqual(
      [
        urlErrors(url, 'none').length === 0,
        urlErrors(url, 'loopback').length === 0,
        urlErrors(url, 'all').length === 0,
      ],
      [none, loopback, all],
      url,
    );
  }
  assert.match(urlErrors('http://169.254.169.254/', 'loopback')[0] ?? '', /ALLOW_PRIVATE_TARGETS/);
  assert.deepEqual(urlErrors('https://user:pw@tools.example.com/', 'all'), ['URLs with credentials are not allowed.']);
});
