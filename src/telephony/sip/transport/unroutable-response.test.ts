import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { captureLog } from '../../../../test/support/log-capture';
import { udpProbe, type WireProbe } from '../testing/wire-probe';
import { UserAgentCore } from '../user-agent-core';

const options = (callId: string, via: string): string =>
  [
    'OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0',
    `Via: ${via}`,
    'Max-Forwards: 70',
    'From: <sip:scanner@127.0.0.1>;tag=s1',
    'To: <sip:thunderphone@127.0.0.1>',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

describe('a response that cannot be routed (real UDP socket)', () => {
  const captured = captureLog('debug');
  let core: UserAgentCore;
  let probe: WireProbe;

  before(async () => {
    core = await UserAgentCore.start({ bindAddress: '127.0.0.1', port: 0, transports: ['udp'], log: captured.log });
    probe = await udpProbe({ address: '127.0.0.1', port: core.port });
  });
  after(async () => {
    await probe.close();
    await core.close();
  });

  it('OPTIONS with Via port 99999, 0 or 65536 (no rport) is dropped and logged; the server keeps answering', async () => {
    for (const port of [99999, 0, 65536]) {
      probe.send(options(`bad-port-${port}`, `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKbad${port}`));
    }
    probe.send(options('after', `SIP/2.0/UDP 127.0.0.1:${probe.port};branch=z9hG4bKgood;rport`));
    const ok = await probe.waitFor((r) => r.headers.get('Call-ID') === 'after');
    assert.equal(ok.status, 200);
    assert.deepEqual(
      probe.responses.map((r) => r.headers.get('Call-ID')),
      ['after'],
      'nothing came back for the unroutable ones',
    );
    const dropped = captured.withMessage('dropped unroutable SIP message');
    assert.deepEqual(
      dropped.map((l) => l.to),
      ['127.0.0.1:99999', '127.0.0.1:0', '127.0.0.1:65536'],
    );
    assert.ok(dropped.every((l) => l.level === 'warn' && l.status === 200));
  });
});
