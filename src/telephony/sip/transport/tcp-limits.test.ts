import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SipLimits } from '../sip-limits';
import { tcpProbe } from '../testing/wire-probe';
import { UserAgentCore } from '../user-agent-core';

const options = (callId: string, via: string): string =>
  [
    'OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0',
    `Via: ${via}`,
    'Max-Forwards: 70',
    'From: <sip:probe@127.0.0.1>;tag=t1',
    'To: <sip:thunderphone@127.0.0.1>',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

async function withCore(limits: Partial<SipLimits>, fn: (target: { address: string; port: number }) => Promise<void>) {
  const core = await UserAgentCore.start({ bindAddress: '127.0.0.1', port: 0, transports: ['tcp'], limits });
  try {
    await fn({ address: '127.0.0.1', port: core.port });
  } finally {
    await core.close();
  }
}

describe('SIP over TCP: connection limits (real sockets)', () => {
  it('a connection that never sends a message (half-open) is closed by the header-read timeout', async () => {
    await withCore({ tcpHeaderTimeoutMs: 200, tcpIdleTimeoutMs: 600_000 }, async (target) => {
      const probe = await tcpProbe(target);
      await probe.waitClosed();
      assert.equal(probe.closed, true);
    });
  });

  it('a message that stops arriving halfway is closed by the header-read timeout', async () => {
    await withCore({ tcpHeaderTimeoutMs: 200, tcpIdleTimeoutMs: 600_000 }, async (target) => {
      const probe = await tcpProbe(target);
      probe.send(options('first', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKt1'));
      const ok = await probe.waitFor((r) => r.headers.get('Call-ID') === 'first');
      assert.equal(ok.status, 200, 'a whole message is answered');
      probe.send('OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1');
      await probe.waitClosed();
    });
  });

  it('a quiet connection is closed by the idle timeout', async () => {
    await withCore({ tcpHeaderTimeoutMs: 600_000, tcpIdleTimeoutMs: 300 }, async (target) => {
      const probe = await tcpProbe(target);
      probe.send(options('idle', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKt2'));
      await probe.waitFor((r) => r.headers.get('Call-ID') === 'idle');
      await probe.waitClosed();
    });
  });

  it('more than SIP_TCP_MAX_BUFFER_BYTES for one message closes the connection; the server still answers others', async () => {
    await withCore({ tcpMaxBufferBytes: 8192 }, async (target) => {
      const flood = await tcpProbe(target);
      flood.send(`OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Junk: ${'a'.repeat(20_000)}`);
      await flood.waitClosed();
      const next = await tcpProbe(target);
      next.send(options('after-flood', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKt3'));
      assert.equal((await next.waitFor((r) => r.headers.get('Call-ID') === 'after-flood')).status, 200);
      await next.close();
    });
  });

  it('a one-byte dribble is framed correctly: two pipelined messages, two answers', async () => {
    await withCore({}, async (target) => {
      const probe = await tcpProbe(target);
      const bytes = Buffer.from(
        '\r\n' +
          options('dribble-1', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKd1') +
          options('dribble-2', 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKd2'),
      );
      for (let i = 0; i < bytes.length; i++) {
        probe.send(bytes.subarray(i, i + 1));
        if (i % 64 === 0) await new Promise((r) => setImmediate(r)); // let them arrive as separate chunks
      }
      await probe.waitFor((r) => r.headers.get('Call-ID') === 'dribble-2');
      assert.deepEqual(
        probe.responses.map((r) => `${r.headers.get('Call-ID')} ${r.status}`),
        ['dribble-1 200', 'dribble-2 200'],
      );
      await probe.close();
    });
  });
});
