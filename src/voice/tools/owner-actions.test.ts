import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentAction } from '../session-events';
import { OwnerActions } from './owner-actions';

test('owner requests resolve once with the owner result, or fail when the session ends first', async () => {
  const emitted: AgentAction[] = [];
  const actions = new OwnerActions((a) => emitted.push(a));
  const first = actions.request((resolve) => ({ type: 'send_dtmf', digits: '1', resolve }));
  const second = actions.request((resolve) => ({ type: 'transfer_call', number: '+14155550100', resolve }));
  const dtmf = emitted[0]!;
  assert.equal(dtmf.type, 'send_dtmf');
  if (dtmf.type === 'send_dtmf') {
    dtmf.resolve({ ok: true });
    dtmf.resolve({ ok: false, error: 'ignored: already resolved' });
  }
  assert.deepEqual(await first, { ok: true });
  actions.close();
  assert.deepEqual(await second, { ok: false, error: 'The call has ended.' });
  assert.deepEqual(await actions.request((resolve) => ({ type: 'send_dtmf', digits: '2', resolve })), {
    ok: false,
    error: 'The call has ended.',
  });
  assert.equal(emitted.length, 2, 'nothing is emitted after the end');
});
