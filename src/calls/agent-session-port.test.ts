import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentSessionPort } from './call-ports';
import { startAgentRig } from '../voice/testing/agent-test-rig';

test('an AgentSession is what the call layer codes against (AgentSessionPort)', async () => {
  const rig = await startAgentRig({ llm: ['Hi.'] });
  try {
    const port: AgentSessionPort = rig.d.session; // compile-time contract check
    await port.prewarm();
    assert.deepEqual(port.transcript(), []);
    await port.stop();
  } finally {
    await rig.close();
  }
});
