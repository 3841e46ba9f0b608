import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTools } from '../../web/src/pages/agents/tool-schema';
import { diffLines } from '../../web/src/pages/agents/text-diff';
import { analysisBody, analysisForm, bargeInBody, bargeInForm } from '../../web/src/pages/agents/agent-form-state';
import { dollarsToCents, formatCents, formatDuration } from '../../web/src/ui/format';
import { answeredByLabel } from '../../web/src/pages/calls/answered-by-label';

// The console's pure logic (no DOM): what the tools editor refuses before anything is sent, the
// versions diff, and money typed by an operator.

test('tools editor: a valid tool passes; each mistake is named by its API field path', () => {
  const good = [
    {
      type: 'function',
      function: {
        name: 'check_order',
        description: 'Look up an order',
        parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
      endpoint: { url: 'https://api.example.com/orders', method: 'POST', headers: { 'X-Key': 'k' } },
    },
  ];
  assert.deepEqual(checkTools(JSON.stringify(good)), { tools: good, problems: [] });
  assert.deepEqual(checkTools(''), { tools: [], problems: [] });
  assert.match(checkTools('[{').problems[0]?.[1] ?? '', /Not valid JSON/);
  assert.deepEqual(checkTools('{}').problems, [['tools', 'Must be a JSON list of tools ([] for none).']]);

  const bad = [
    {
      type: 'function',
      function: {
        name: 'bad name',
        description: '',
        parameters: { type: 'object', properties: { n: { type: 'numbr' } }, required: ['id'] },
      },
      endpoint: { url: 'ftp://x', method: 'FETCH', headers: { a: 1 } },
    },
    {
      type: 'function',
      function: { name: 'dup', description: 'd', parameters: { type: 'array' } },
      endpoint: { url: 'https://e.x' },
    },
    {
      type: 'function',
      function: { name: 'dup', description: 'd', parameters: { type: 'object' } },
      endpoint: { url: 'https://e.x' },
    },
  ];
  const paths = checkTools(JSON.stringify(bad)).problems.map(([p]) => p);
  assert.deepEqual(paths, [
    'tools.0.function.name',
    'tools.0.function.description',
    'tools.0.function.parameters.properties.n.type',
    'tools.0.function.parameters.required',
    'tools.0.endpoint.url',
    'tools.0.endpoint.method',
    'tools.0.endpoint.headers',
    'tools.1.function.parameters.type',
    'tools.2.function.name',
  ]);
});

test('versions diff: unchanged, removed and added lines in order', () => {
  assert.deepEqual(diffLines('a\nb\nc', 'a\nx\nc\nd'), [
    { kind: 'same', text: 'a' },
    { kind: 'del', text: 'b' },
    { kind: 'add', text: 'x' },
    { kind: 'same', text: 'c' },
    { kind: 'add', text: 'd' },
  ]);
});

test('money: dollars typed → integer cents; cents → display', () => {
  assert.equal(dollarsToCents('25'), 2500);
  assert.equal(dollarsToCents('$25.5'), 2550);
  assert.equal(dollarsToCents('-3.07'), -307);
  assert.equal(dollarsToCents('0,99'), 99);
  assert.equal(dollarsToCents('1.234'), undefined);
  assert.equal(dollarsToCents('ten'), undefined);
  assert.equal(formatCents(-250), '−$2.50');
  assert.equal(formatCents(null), '—');
  assert.equal(formatDuration(125), '2 min 5 s');
});

test('agent form: barge-in inputs send only the keys filled in (none = null); analysis schema text must be JSON', () => {
  const empty = { min_speech_ms: '', min_words: ' ', filter_backchannels: '' } as const;
  assert.equal(bargeInBody(empty), null);
  assert.deepEqual(bargeInBody({ ...empty, min_words: '3' }), { min_words: 3 });
  assert.deepEqual(bargeInBody({ min_speech_ms: '12.5', min_words: '', filter_backchannels: 'false' }), {
    min_speech_ms: '12.5', // sent as typed: the API's message says what is wrong
    filter_backchannels: false,
  });
  assert.deepEqual(bargeInForm({ min_words: 3, filter_backchannels: true }), {
    min_speech_ms: '',
    min_words: '3',
    filter_backchannels: 'true',
  });

  const off = analysisForm(null);
  assert.deepEqual(analysisBody(off), { ok: true, value: null });
  const on = { ...off, enabled: true, extraction_schema: '{"type":"object"}', outcome_labels: 'a\n\n b \n' };
  assert.deepEqual(analysisBody(on), {
    ok: true,
    value: { summary: true, grading: true, extraction_schema: { type: 'object' }, outcome_labels: ['a', 'b'] },
  });
  assert.deepEqual(analysisBody({ ...on, extraction_schema: '  ' }), {
    ok: true,
    value: { summary: true, grading: true, extraction_schema: null, outcome_labels: ['a', 'b'] },
  });
  const bad = analysisBody({ ...on, extraction_schema: '{"type":' });
  assert.ok(!bad.ok && /Not valid JSON/.test(bad.problem));
});

test('call page "Answered by": who, when decided, and when a guess of a person let the agent speak', () => {
  assert.equal(answeredByLabel({ answered_by: null, answered_by_decision_ms: null, answered_by_guess_ms: null }), null);
  assert.equal(
    answeredByLabel({ answered_by: 'human', answered_by_decision_ms: 740, answered_by_guess_ms: 740 }),
    'Human (decided in 740 ms; the agent spoke at 740 ms on a guess of a person)',
  );
  assert.equal(
    answeredByLabel({ answered_by: 'machine', answered_by_decision_ms: 2600, answered_by_guess_ms: 760 }),
    'Machine (decided in 2600 ms; the agent began at 760 ms on a guess of a person, so the machine heard it)',
  );
  assert.equal(
    answeredByLabel({ answered_by: 'machine', answered_by_decision_ms: 2100, answered_by_guess_ms: null }),
    'Machine (decided in 2100 ms)',
  );
});
