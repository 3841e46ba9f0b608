import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingInvite } from './incoming-invite';
import type { InviteEnd } from './invite-client';
import type { InviteSession } from './invite-session';
import { fakeUserAgentCore } from './testing/fake-core';
import { FakeNetwork } from './testing/transport-fake';

/** Two of our user agent cores calling each other over the in-memory network (UAC and UAS code at once). */
describe('core to core (socket-free)', () => {
  for (const kind of ['udp', 'tcp'] as const) {
    it(`${kind}: INVITE → ring → accept → ACK → BYE from the callee; both sides see one dialog and end it`, async () => {
      const net = new FakeNetwork({ latencyMs: 5 });
      const caller = fakeUserAgentCore(net, { address: '127.0.0.1', port: 5070, kinds: [kind] });
      const callee = fakeUserAgentCore(net, { address: '127.0.0.2', port: 5080, kinds: [kind] });
      const offered: IncomingInvite[] = [];
      callee.delegate = { onInvite: (i) => offered.push(i) };

      const client = caller.invite({ target: 'sip:+15550001111@127.0.0.2:5080', transport: kind, fromUser: 'alice' });
      const events: string[] = [];
      let callerSession: InviteSession | undefined;
      let ended: InviteEnd | undefined;
      client.on('progress', (r) => events.push(`progress ${r.status}`));
      client.on('answered', (s, r) => {
        events.push(`answered ${r.body.toString()}`);
        callerSession = s;
      });
      client.on('ended', (e) => (ended = e));
      client.start('offer');
      net.timers.advance(10);
      const invite = offered[0]!;
      assert.deepEqual([invite.fromUser, invite.toUser, invite.source.transport], ['alice', '+15550001111', kind]);
      invite.ring();
      net.timers.advance(10);
      const calleeSession = invite.accept(Buffer.from('answer'))!;
      const acked: string[] = [];
      calleeSession.on('ack', () => acked.push('ack'));
      net.timers.advance(10);
      assert.deepEqual(events, ['progress 180', 'answered answer']);
      assert.deepEqual(acked, ['ack']);
      assert.deepEqual(callerSession!.dialog.id, {
        callId: calleeSession.dialog.callId,
        localTag: calleeSession.dialog.remoteTag,
        remoteTag: calleeSession.dialog.localTag,
      });

      const byes: string[] = [];
      callerSession!.on('bye', () => byes.push('bye'));
      const done = calleeSession.bye();
      net.timers.advance(10);
      await done;
      assert.deepEqual(byes, ['bye']);
      assert.equal(ended, undefined);
      assert.deepEqual([caller.dialogs.size, callee.dialogs.size], [0, 0]);
      net.timers.advance(60_000);
      assert.equal(net.timers.pendingCount, 0, 'every transaction and retransmission timer has finished');
    });
  }
});
