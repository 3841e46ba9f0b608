import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { FakeClock } from '../../shared/clock';
import type { AppError } from '../../shared/errors';
import { decodeMulaw, encodeAlaw, encodeMulaw, decodeAlaw } from '../../audio/g711';
import type { DtmfEvent } from './dtmf-rfc4733';
import { RtpPortPool } from './port-pool';
import { RtpSession } from './rtp-session';
import { ManualTimers } from './testing/manual-timers';
import { loopbackMedia, RawRtpPeer, testPortPool, testRtpBase, waitFor } from './testing/rtp-test-kit';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tone(frames: number, hz = 440, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: frames * 160 }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)),
  );
}

async function openSession(
  pool = testPortPool(),
  opts: Partial<Parameters<typeof RtpSession.open>[0]> = {},
): Promise<RtpSession> {
  const s = await RtpSession.open({ pool, bindAddress: '127.0.0.1', ...opts });
  cleanups.push(() => s.close());
  return s;
}

async function openPeer(): Promise<RawRtpPeer> {
  const p = await RawRtpPeer.open();
  cleanups.push(() => p.close());
  return p;
}

function collect(s: RtpSession): Int16Array[] {
  const frames: Int16Array[] = [];
  s.on('audio', (f) => frames.push(f));
  return frames;
}

const isSilent = (f: Int16Array): boolean => f.every((v) => Math.abs(v) < 8);

describe('RtpSession between two sessions on loopback', () => {
  it('carries audio both ways, each side receiving exactly what the other encoded', async () => {
    const pool = testPortPool();
    const a = await openSession(pool);
    const b = await openSession(pool);
    a.setRemote(loopbackMedia(b.localPort));
    b.setRemote(loopbackMedia(a.localPort, { codec: 'PCMA', payloadType: 8 }));
    const atB = collect(b);
    const atA = collect(a);
    const fromA = tone(10, 440);
    const fromB = tone(10, 1000);
    a.sendAudio(fromA);
    b.sendAudio(fromB);
    a.start();
    b.start();
    await waitFor(() => atB.length >= 10 && atA.length >= 10, '10 frames each way');
    const gotAtB = new Int16Array(atB.slice(0, 10).flatMap((f) => [...f]));
    const gotAtA = new Int16Array(atA.slice(0, 10).flatMap((f) => [...f]));
    assert.deepEqual(encodeMulaw(gotAtB), encodeMulaw(fromA), 'A → B payload bytes (PCMU)');
    assert.deepEqual(gotAtB, decodeMulaw(encodeMulaw(fromA)));
    assert.deepEqual(encodeAlaw(gotAtA), encodeAlaw(fromB), 'B → A payload bytes (PCMA)');
    assert.deepEqual(gotAtA, decodeAlaw(encodeAlaw(fromB)));
    assert.ok(atB.every((f) => f.length === 160));
    assert.ok(a.stats.packetsSent >= 10 && b.stats.packetsReceived >= 10);
    assert.equal(b.stats.packetsLost, 0);
  });

  it('latches onto the port the peer really sends from when its SDP names another (symmetric RTP)', async () => {
    const pool = testPortPool();
    const a = await openSession(pool);
    const b = await openSession(pool);
    const decoy = await openPeer(); // the port B's "SDP" claims; nobody reads it
    a.setRemote(loopbackMedia(decoy.port));
    b.setRemote(loopbackMedia(a.localPort));
    const latched: Array<{ port: number }> = [];
    a.on('latched', (r) => latched.push(r));
    const atB = collect(b);
    a.start();
    await waitFor(() => decoy.packets.length >= 1, 'A sending to the SDP address first');
    b.start();
    await waitFor(() => latched.length === 1, 'A to latch');
    assert.equal(latched[0]!.port, b.localPort);
    assert.deepEqual(a.remote, { address: '127.0.0.1', port: b.localPort });
    const before = decoy.packets.length;
    a.sendAudio(tone(3));
    await waitFor(() => atB.some((f) => !isSilent(f)), 'A audio at B');
    assert.ok(decoy.packets.length <= before + 1, 'nothing more went to the SDP address');
  });

  it('sends DTMF that the other session receives as the right digits, once each', async () => {
    const pool = testPortPool();
    const a = await openSession(pool);
    const b = await openSession(pool);
    a.setRemote(loopbackMedia(b.localPort));
    b.setRemote(loopbackMedia(a.localPort));
    const digits: DtmfEvent[] = [];
    b.on('dtmf', (d) => digits.push(d));
    a.start();
    b.start();
    await a.sendDtmf('1#9');
    await waitFor(() => digits.length === 3, 'three digits');
    assert.deepEqual(digits, [
      { digit: '1', durationMs: 100 },
      { digit: '#', durationMs: 100 },
      { digit: '9', durationMs: 100 },
    ]);
  });

  it('clearOutgoing() drops queued audio at once (barge-in)', async () => {
    const pool = testPortPool();
    const a = await openSession(pool);
    const b = await openSession(pool);
    a.setRemote(loopbackMedia(b.localPort));
    const atB = collect(b);
    a.sendAudio(tone(100)); // 2 s
    assert.equal(a.outgoingQueuedMs, 2000);
    a.start();
    await waitFor(() => atB.length >= 3, 'first frames');
    a.clearOutgoing();
    assert.equal(a.outgoingQueuedMs, 0);
    const at = atB.length;
    await waitFor(() => atB.length >= at + 8, 'frames after the clear');
    assert.ok(atB.slice(at + 2).every(isSilent), 'only silence after barge-in');
  });
});

describe('RtpSession against a raw UDP peer', () => {
  it('wraps sequence numbers and timestamps on the wire, and a receiving session plays straight through the wrap', async () => {
    const randoms = [0.25, 65533 / 65536, (2 ** 32 - 320) / 2 ** 32];
    const ids = { uuid: () => 'x', token: () => 'x', random: () => randoms.shift() ?? 0 };
    const pool = testPortPool();
    const peer = await openPeer();
    const a = await openSession(pool, { ids });
    const b = await openSession(pool);
    a.setRemote(loopbackMedia(b.localPort));
    b.setRemote(loopbackMedia(peer.port));
    const atB = collect(b);
    const frames = Array.from({ length: 6 }, (_, k) => new Int16Array(160).fill(100 * (k + 1)));
    for (const f of frames) a.sendAudio(f);
    a.start();
    b.start();
    await waitFor(() => atB.length >= 6, 'six frames across the wrap');
    assert.deepEqual(
      atB.slice(0, 6).map((f) => f[0]),
      frames.map((f) => decodeMulaw(encodeMulaw(f.subarray(0, 1)))[0]),
    );
    assert.equal(b.stats.packetsLost, 0);
    assert.equal(b.stats.latePackets, 0);
  });

  it('puts the wrapped sequence numbers and timestamps on the wire', async () => {
    const randoms = [0.25, 65534 / 65536, (2 ** 32 - 160) / 2 ** 32];
    const ids = { uuid: () => 'x', token: () => 'x', random: () => randoms.shift() ?? 0 };
    const peer = await openPeer();
    const s = await openSession(testPortPool(), { ids });
    s.setRemote(loopbackMedia(peer.port));
    s.start();
    await waitFor(() => peer.packets.length >= 4, 'four packets');
    assert.deepEqual(
      peer.packets.slice(0, 4).map((p) => p.sequenceNumber),
      [65534, 65535, 0, 1],
    );
    assert.deepEqual(
      peer.packets.slice(0, 4).map((p) => p.timestamp),
      [2 ** 32 - 160, 0, 160, 320],
    );
    assert.equal(peer.packets[0]!.ssrc, 2 ** 30);
  });

  it('stamps packets: one SSRC, sequence +1, timestamp +160, marker on each talkspurt start, paced 20 ms frames', async () => {
    const peer = await openPeer();
    const s = await openSession();
    s.setRemote(loopbackMedia(peer.port));
    const sent: Int16Array[] = [];
    s.on('sent', (f) => sent.push(f));
    s.sendAudio(tone(3));
    s.start();
    await waitFor(() => peer.packets.length >= 6, 'six packets');
    s.sendAudio(tone(2));
    await waitFor(() => peer.packets.filter((p) => p.marker).length >= 2, 'second talkspurt');
    const ps = peer.packets;
    assert.ok(ps.every((p) => p.ssrc === s.ssrc && p.payloadType === 0 && p.payload.length === 160));
    for (let i = 1; i < ps.length; i++) {
      assert.equal(ps[i]!.sequenceNumber, (ps[i - 1]!.sequenceNumber + 1) & 0xffff);
      assert.equal(ps[i]!.timestamp, (ps[i - 1]!.timestamp + 160) >>> 0);
    }
    assert.equal(ps[0]!.marker, true);
    assert.deepEqual(
      ps.slice(1, 3).map((p) => p.marker),
      [false, false],
    );
    const second = ps.findIndex((p, i) => i > 0 && p.marker);
    assert.ok(
      ps.slice(3, second).every((p) => p.payload.every((b) => b === 0xff)),
      'silence between talkspurts',
    );
    assert.equal(ps[0]!.fromPort, s.localPort, 'sent from the RTP port itself (symmetric)');
    assert.equal(sent.length >= ps.length - 1, true, "'sent' reports what went out");
  });

  it('delivers reordered packets in order, conceals a lost one, and re-frames 30 ms packets into 20 ms frames', async () => {
    const peer = await openPeer();
    const s = await openSession();
    s.setRemote(loopbackMedia(peer.port));
    const frames = collect(s);
    const pkt = (seq: number, level: number, samples = 160): Parameters<RawRtpPeer['send']>[1] => ({
      marker: false,
      payloadType: 0,
      sequenceNumber: seq,
      timestamp: seq * samples,
      ssrc: 99,
      payload: encodeMulaw(new Int16Array(samples).fill(level)),
    });
    for (const seq of [10, 12, 11, 13]) await peer.send(s.localPort, pkt(seq, seq * 100));
    await waitFor(() => frames.length === 4, 'four frames');
    assert.deepEqual(
      frames.map((f) => f[0]),
      [1000, 1100, 1200, 1300].map((v) => decodeMulaw(encodeMulaw(new Int16Array([v])))[0]),
    );
    for (const seq of [15, 16, 17]) await peer.send(s.localPort, pkt(seq, 2000)); // 14 never comes
    await waitFor(() => frames.length === 8, 'concealment + three frames');
    assert.ok(Math.abs(frames[4]![0]! - frames[3]![0]! / 2) < 20, 'lost frame repeats the last one at half level');
    assert.equal(s.stats.packetsLost, 1);
    for (const seq of [18, 19]) await peer.send(s.localPort, pkt(seq, 500, 240)); // 2 × 30 ms = 3 frames
    await waitFor(() => frames.length === 11, '30 ms packets as 20 ms frames');
    assert.ok(frames.every((f) => f.length === 160));
  });

  it('ignores garbage and unknown payload types without breaking the stream', async () => {
    const peer = await openPeer();
    const s = await openSession();
    s.setRemote(loopbackMedia(peer.port));
    const frames = collect(s);
    await peer.sendRaw(s.localPort, Buffer.from('not rtp at all'));
    await peer.send(s.localPort, {
      marker: false,
      payloadType: 18,
      sequenceNumber: 1,
      timestamp: 0,
      ssrc: 5,
      payload: new Uint8Array(20),
    });
    await peer.send(s.localPort, {
      marker: false,
      payloadType: 0,
      sequenceNumber: 2,
      timestamp: 160,
      ssrc: 5,
      payload: new Uint8Array(160).fill(0xff),
    });
    await waitFor(() => frames.length === 1, 'the valid frame');
    assert.equal(s.stats.invalidPackets, 2);
    assert.equal(s.stats.packetsReceived, 1);
  });

  it('pause() (hold) stops sending; resume() restarts with a marked talkspurt', async () => {
    const peer = await openPeer();
    const s = await openSession();
    s.setRemote(loopbackMedia(peer.port));
    s.start();
    await waitFor(() => peer.packets.length >= 2, 'packets before hold');
    s.pause();
    await new Promise((r) => setTimeout(r, 60)); // a packet may be in flight
    const held = peer.packets.length;
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(peer.packets.length, held, 'nothing sent on hold');
    s.resume();
    s.sendAudio(tone(2));
    await waitFor(() => peer.packets.length >= held + 2, 'packets after resume');
    const after = peer.packets.slice(held);
    assert.equal(after[0]!.marker, true);
    assert.equal(after[0]!.sequenceNumber, (peer.packets[held - 1]!.sequenceNumber + 1) & 0xffff, 'sequence continues');
    assert.ok(after[0]!.timestamp - peer.packets[held - 1]!.timestamp >= 160 * 5, 'timestamp kept running during hold');
  });

  it('does not send to a recvonly/inactive answer or to c=0.0.0.0', async () => {
    const peer = await openPeer();
    const s = await openSession();
    s.setRemote(loopbackMedia(peer.port, { direction: 'recvonly', onHold: true }));
    s.start();
    s.sendAudio(tone(5));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(peer.packets.length, 0);
    s.setRemote(loopbackMedia(peer.port, { direction: 'sendrecv' }));
    await waitFor(() => peer.packets.length > 0, 'packets once unheld');
    s.setRemote(loopbackMedia(0, { remoteAddress: '0.0.0.0', direction: 'sendrecv' }));
    await new Promise((r) => setTimeout(r, 60)); // packets in flight
    const n = peer.packets.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(peer.packets.length, n);
  });

  it('rejects bad digits and digits the far end did not negotiate', async () => {
    const s = await openSession();
    s.setRemote(loopbackMedia(9, { telephoneEventPayloadType: undefined }));
    await assert.rejects(s.sendDtmf('12'), (e: AppError) => e.code === 'dtmf_not_negotiated');
    s.setRemote(loopbackMedia(9));
    await assert.rejects(s.sendDtmf('1x'), (e: AppError) => e.code === 'invalid_dtmf' && e.kind === 'invalid');
    await assert.rejects(s.sendDtmf(''), (e: AppError) => e.code === 'invalid_dtmf');
    const pending = s.sendDtmf('123'); // not started: waits
    await s.close();
    await assert.rejects(pending, (e: AppError) => e.code === 'rtp_session_closed');
  });
});

describe('RtpSession media timeout (fake clock)', () => {
  it('fires mediaTimeout once after the configured silence, re-arms when RTP comes back, and not on hold', async () => {
    const clock = new FakeClock();
    const timers = new ManualTimers(clock);
    const peer = await openPeer();
    const s = await openSession(testPortPool(), { clock, timers, mediaTimeoutMs: 1000 });
    s.setRemote(loopbackMedia(peer.port));
    let timeouts = 0;
    s.on('mediaTimeout', () => timeouts++);
    s.start();
    timers.advance(980);
    assert.equal(timeouts, 0);
    timers.advance(40);
    assert.equal(timeouts, 1);
    timers.advance(5000);
    assert.equal(timeouts, 1, 'once');
    await peer.send(s.localPort, {
      marker: false,
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 0,
      ssrc: 1,
      payload: new Uint8Array(160).fill(0xff),
    });
    await waitFor(() => s.stats.packetsReceived === 1, 'a packet');
    timers.advance(900);
    assert.equal(timeouts, 1);
    timers.advance(200);
    assert.equal(timeouts, 2, 're-armed by the packet');
    s.pause();
    timers.advance(10_000);
    assert.equal(timeouts, 2, 'no timeout on hold');
    s.resume();
    timers.advance(1020);
    assert.equal(timeouts, 3);
  });

  it('paces exactly 50 frames per fake second even when every timer fires late', async () => {
    const clock = new FakeClock();
    const timers = new ManualTimers(clock);
    let i = 0;
    timers.lateMs = () => 1 + (i++ % 4);
    const s = await openSession(testPortPool(), { clock, timers });
    const sent: number[] = [];
    s.on('sent', () => sent.push(clock.monotonicMs()));
    s.setRemote(loopbackMedia(9));
    s.start();
    timers.advance(10_000);
    assert.ok(Math.abs(sent.length - 500) <= 1, `${sent.length} frames in 10 s`);
    sent.forEach((t, k) => assert.ok(t - 20 * k <= 5, `frame ${k} sent ${t - 20 * k} ms late`));
  });
});

describe('RTP port pool with sessions', () => {
  it('runs out with a clear error and gets every port back on close (idempotent)', async () => {
    const base = testRtpBase();
    const pool = new RtpPortPool(base, base + 5); // 3 pairs
    const sessions = [
      await RtpSession.open({ pool, bindAddress: '127.0.0.1' }),
      await RtpSession.open({ pool, bindAddress: '127.0.0.1' }),
      await RtpSession.open({ pool, bindAddress: '127.0.0.1' }),
    ];
    cleanups.push(() => Promise.all(sessions.map((s) => s.close())));
    assert.deepEqual(
      sessions.map((s) => s.localPort % 2),
      [0, 0, 0],
    );
    await assert.rejects(
      RtpSession.open({ pool, bindAddress: '127.0.0.1' }),
      (e: AppError) => e.code === 'rtp_ports_exhausted' && e.kind === 'unavailable',
    );
    assert.equal(pool.inUse, 3);
    await sessions[1]!.close();
    await sessions[1]!.close();
    assert.equal(pool.inUse, 2);
    const again = await RtpSession.open({ pool, bindAddress: '127.0.0.1' });
    assert.equal(again.localPort, sessions[1]!.localPort);
    await again.close();
    await Promise.all(sessions.map((s) => s.close()));
    assert.equal(pool.inUse, 0);
  });

  it('skips a port another process holds and releases the port when binding fails', async () => {
    const base = testRtpBase();
    const pool = new RtpPortPool(base, base + 9);
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.bind(base, '127.0.0.1', () => resolve());
    });
    cleanups.push(() => new Promise<void>((r) => squatter.close(() => r())));
    const s = await RtpSession.open({ pool, bindAddress: '127.0.0.1' });
    cleanups.push(() => s.close());
    assert.notEqual(s.localPort, base);
    assert.equal(pool.inUse, 1);
    await assert.rejects(
      RtpSession.open({ pool, bindAddress: '192.0.2.77' }),
      (e: AppError) => e.code === 'rtp_bind_failed',
    );
    assert.equal(pool.inUse, 1, 'the failed bind gave its port back');
  });
});
