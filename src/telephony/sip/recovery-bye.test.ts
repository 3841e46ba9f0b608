import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RECOVERY_CSEQ_HEADROOM, sendRecoveryBye, type RecoveryByeResult } from './recovery-bye';
import type { InviteSessionSnapshot } from './invite-session';
import { fakeUserAgentCore } from './testing/fake-core';
import { SipPeer } from './testing/sip-peer';
import { FakeNetwork } from './testing/transport-fake';

describe('BYE from a persisted dialog (after a crash)', () => {
  it('a fresh core ends the dialog: same Call-ID and tags, routed by the route set, CSeq above the stored one', async () => {
    const net = new FakeNetwork();
    const core = fakeUserAgentCore(net); // the new process: knows nothing of the dialog but its snapshot
    const trunk = new SipPeer(net, { address: '127.0.0.7', port: 5060 });
    const snapshot: InviteSessionSnapshot = JSON.parse(
      JSON.stringify({
        dialog: {
          callId: 'k3j4@127.0.0.1',
          localTag: 'ours9',
          remoteTag: 'theirs9',
          localHeader: '<sip:+15550001111@127.0.0.1>;tag=ours9',
          remoteHeader: '<sip:+15550002222@127.0.0.7>;tag=theirs9',
          routeSet: ['<sip:127.0.0.7:5060;lr>'],
          localSeq: 3,
          remoteSeq: 1,
          remoteTarget: 'sip:trunk@127.0.0.7:5060',
        },
        transport: 'udp',
        destination: { transport: 'udp', address: '127.0.0.7', port: 5060 },
      }),
    );
    let result: RecoveryByeResult | undefined;
    void sendRecoveryBye(core, snapshot).then((r) => (result = r));
    net.flush();
    const bye = trunk.last('BYE');
    assert.equal(bye.msg.uri, 'sip:trunk@127.0.0.7:5060');
    assert.deepEqual(bye.msg.headers.getAll('Route'), ['<sip:127.0.0.7:5060;lr>']);
    assert.equal(bye.msg.headers.get('Call-ID'), 'k3j4@127.0.0.1');
    assert.equal(bye.msg.headers.get('From'), '<sip:+15550001111@127.0.0.1>;tag=ours9');
    assert.equal(bye.msg.headers.get('To'), '<sip:+15550002222@127.0.0.7>;tag=theirs9');
    assert.equal(bye.msg.headers.get('CSeq'), `${3 + RECOVERY_CSEQ_HEADROOM + 1} BYE`);
    trunk.reply(bye, 200);
    net.flush();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(result, { status: 200 });
  });
});
