import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppError } from '../../shared/errors';
import { decodeMulaw, encodeMulaw } from '../../audio/g711';
import type { DtmfEvent } from '../rtp/dtmf-rfc4733';
import { RtpSession } from '../rtp/rtp-session';
import { loopbackMedia, testPortPool, waitFor } from '../rtp/testing/rtp-test-kit';
import { systemClock } from '../../shared/clock';
import { MediaWorkerPool } from './media-worker-pool';
import { OUTBOX_SLOTS } from './frame-outbox';

function tone(frames: number, hz = 440): Int16Array {
  return Int16Array.from({ length: frames * 160 }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)),
  );
}

describe('MediaWorkerPool: RTP sessions in worker threads', { concurrency: false, timeout: 60_000 }, () => {
  const pool = testPortPool(200);
  let workers: MediaWorkerPool;
  before(async () => (workers = await MediaWorkerPool.start({ workers: 2, pool })));
  after(() => workers.close());

  it("a 'sent' listener added after the last one left still gets the frames the worker sends", async () => {
    // The worker posts sent frames only while a listener here wants them (the recorder runs in the worker).
    const remote = await workers.open({ bindAddress: '127.0.0.1' });
    const local = await RtpSession.open({ pool, bindAddress: '127.0.0.1' });
    try {
      remote.setRemote(loopbackMedia(local.localPort));
      local.setRemote(loopbackMedia(remote.localPort));
      remote.sendAudio(tone(200));
      remote.start();
      local.start();
      let first = 0;
      const a = (): void => void first++;
      remote.on('sent', a);
      await waitFor(() => first >= 5, 'sent frames with a listener');
      remote.off('sent', a);
      const heard: Int16Array[] = [];
      remote.on('sent', (f) => heard.push(f.slice()));
      await waitFor(() => heard.filter((f) => f.some((v) => Math.abs(v) > 1000)).length >= 5, 'the tone again');
    } finally {
      await remote.close();
      await local.close();
    }
  });

  it('carries audio both ways with a main-thread session, byte for byte after G.711', async () => {
    const remote = await workers.open({ bindAddress: '127.0.0.1' });
    const local = await RtpSession.open({ pool, bindAddress: '127.0.0.1' });
    try {
      remote.setRemote(loopbackMedia(local.localPort));
      local.setRemote(loopbackMedia(remote.localPort));
      const atLocal: Int16Array[] = [];
      const atRemote: Int16Array[] = [];
      const sent: Int16Array[] = [];
      local.on('audio', (f) => atLocal.push(f));
      remote.on('audio', (f) => atRemote.push(f.slice()));
      remote.on('sent', (f) => sent.push(f.slice()));
      const fromWorker = tone(10, 440);
      const fromMain = tone(10, 1000);
      remote.sendAudio(fromWorker);
      local.sendAudio(fromMain);
      remote.start();
      local.start();
      const loud = (f: Int16Array): boolean => f.some((v) => Math.abs(v) > 1000);
      await waitFor(() => atLocal.filter(loud).length >= 10 && atRemote.filter(loud).length >= 10, 'audio both ways');
      const expect = (pcm: Int16Array): Int16Array => decodeMulaw(encodeMulaw(pcm));
      assert.deepEqual(
        Int16Array.from(
          atLocal
            .filter(loud)
            .slice(0, 10)
            .flatMap((f) => [...f]),
        ),
        expect(fromWorker),
      );
      assert.deepEqual(
        Int16Array.from(
          atRemote
            .filter(loud)
            .slice(0, 10)
            .flatMap((f) => [...f]),
        ),
        expect(fromMain),
      );
      // 'sent' reports what went out (the recorder's agent channel): our tone, then silence.
      assert.deepEqual(
        Int16Array.from(
          sent
            .filter(loud)
            .slice(0, 10)
            .flatMap((f) => [...f]),
        ),
        fromWorker,
      );
      await waitFor(() => remote.stats.packetsReceived > 0, 'stats reported by the worker');
      assert.equal(workers.stats().sessions, 1);
      assert.equal(
        workers.stats().workers.reduce((a, w) => a + w.sessions, 0),
        1,
      );
    } finally {
      await remote.close();
      await local.close();
    }
    assert.equal(remote.closed, true);
    assert.equal(pool.isInUse(remote.localPort), false, 'the port went back to the pool');
    assert.equal(workers.stats().sessions, 0);
  });

  it('a main-thread stall longer than the frame ring loses or overwrites no frame; listeners may keep frames', async () => {
    const remote = await workers.open({ bindAddress: '127.0.0.1' });
    try {
      remote.setRemote(loopbackMedia(9)); // discard port
      const sent: Int16Array[] = [];
      remote.on('sent', (f) => sent.push(f)); // kept as given, no copy
      // No two frames alike, no zero sample (silence frames are told apart by zeros).
      const speech = Int16Array.from({ length: 3 * OUTBOX_SLOTS * 160 }, (_, i) => ((i * 7) % 20000) + 1);
      remote.sendAudio(speech);
      remote.start();
      await waitFor(() => sent.length > 0, 'the worker is sending');
      // Blocks this thread for twice the ring (20 ms per slot) while the worker keeps sending.
      const until = systemClock.monotonicMs() + 2 * OUTBOX_SLOTS * 20;
      while (systemClock.monotonicMs() < until);
      const loud = (f: Int16Array): boolean => f.some((v) => v !== 0);
      await waitFor(() => sent.filter(loud).length >= 3 * OUTBOX_SLOTS, 'every frame of the tone');
      assert.deepEqual(Int16Array.from(sent.filter(loud).flatMap((f) => [...f])), speech);
    } finally {
      await remote.close();
    }
  });

  it('sends and receives RFC 4733 DTMF; refuses bad digits like RtpSession', async () => {
    const a = await workers.open({ bindAddress: '127.0.0.1' });
    const b = await workers.open({ bindAddress: '127.0.0.1' });
    try {
      a.setRemote(loopbackMedia(b.localPort));
      b.setRemote(loopbackMedia(a.localPort));
      const digits: DtmfEvent[] = [];
      b.on('dtmf', (d) => digits.push(d));
      a.start();
      b.start();
      await a.sendDtmf('1#9');
      await waitFor(() => digits.length === 3, 'three digits');
      assert.deepEqual(
        digits.map((d) => d.digit),
        ['1', '#', '9'],
      );
      await assert.rejects(a.sendDtmf('x'), (e: AppError) => e.code === 'invalid_dtmf');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("spreads sessions over the workers and reports each one's tick lag", async () => {
    const sessions = await Promise.all([1, 2, 3, 4].map(() => workers.open({ bindAddress: '127.0.0.1' })));
    try {
      for (const s of sessions) {
        s.setRemote(loopbackMedia(9)); // discard port: packets go nowhere
        s.start();
      }
      const load = workers.stats().workers;
      assert.deepEqual(
        load.map((w) => w.sessions),
        [2, 2],
      );
      await waitFor(() => workers.stats().workers.every((w) => w.ticks > 0), 'each worker reported its clock', 5000);
      for (const w of workers.stats().workers) assert.ok(w.tickLagMaxMs >= 0 && Number.isFinite(w.tickLagP99Ms));
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });
});
