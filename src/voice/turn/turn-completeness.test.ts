import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completenessOf, endOfTurnSilenceMs } from './turn-completeness';

test('finished sentences and questions read as complete, trailing conjunctions, fillers and numbers as unfinished', () => {
  const cases: [string, string][] = [
    ['I need an appointment.', 'complete'],
    ['Can you book me in for Tuesday?', 'complete'],
    ['Thanks!', 'complete'],
    ["I'd like to book", 'neutral'],
    ["I'd like to", 'unfinished'],
    ['I need a table and', 'unfinished'],
    ['So, um', 'unfinished'],
    ['My number is 555 0134', 'unfinished'],
    ['four one five', 'unfinished'],
    ['Let me think...', 'unfinished'],
    ['I want to book a table,', 'unfinished'],
    ['', 'neutral'],
  ];
  for (const [text, want] of cases) assert.equal(completenessOf(text), want, text);
});

test('the wait follows the completeness and stays within min and max', () => {
  const s = { minMs: 300, neutralMs: 600, maxMs: 1500 };
  assert.equal(endOfTurnSilenceMs('Yes.', s), 300);
  assert.equal(endOfTurnSilenceMs('yes', s), 600);
  assert.equal(endOfTurnSilenceMs('yes and', s), 1500);
  assert.equal(endOfTurnSilenceMs('yes', { minMs: 300, neutralMs: 2000, maxMs: 1500 }), 1500);
});
