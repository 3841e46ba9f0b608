/**
 * Media off the main thread: a 200 ms stall of the main event loop during a real SIP call must
 * not move a single RTP packet. The far end is a listener in another process (its arrival times
 * are what a phone would see); sipp answers the call and points RTP there in its SDP.
 *
 * Bounds: the bound is send jitter under 2 ms. The median deviation of the inter-arrival
 * time from 20 ms over the stall window is held to that. The largest single deviation gets a
 * documented margin: this 2-core machine is shared by many processes, so the receiving process
 * itself may be scheduled late (single deviations of 7-10 ms were seen outside any stall at a load
 * average of 16); 2 + MARGIN_MS (12) ms stays below one frame (20 ms: nothing late or lost) and far
 * below the ~200 ms gap a stalled sender leaves, which the in-process run shows, so the test can fail.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CallAgent } from '../../src/telephony/call/call-agent';
import { MediaWorkerPool } from '../../src/telephony/media/media-worker-pool';
import { RtpPortPool } from '../../src/telephony/rtp/port-pool';
import {
  arrivalClockMs,
  interArrivalDeviations,
  startArrivalRecorder,
  type ArrivalRecorder,
} from '../../src/telephony/rtp/testing/rtp-arrival-recorder';
import { freePort, startSipp } from './sipp-harness';
import { startTestUa } from './ua-fixture';

const JITTER_BOUND_MS = 2;
const MARGIN_MS = 12;
const STALL_MS = 200;

function busyWait(ms: number): void {
  const end = arrivalClockMs() + ms;
  while (arrivalClockMs() < end) {
    // the main thread does nothing else: a slow query, a big JSON parse
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function callWithStall(ua: CallAgent, recorder: ArrivalRecorder): Promise<number[]> {
  const [rtpPort] = await recorder.bind(1);
  const sipp = await startSipp('uas-media-elsewhere.xml', { vars: { rtp_port: String(rtpPort) }, timeoutS: 20 });
  try {
    const leg = ua.dial({ target: `sip:stall@127.0.0.1:${sipp.port}`, fromUser: 'tp' });
    await new Promise<void>((resolve, reject) => {
      leg.on('answered', () => resolve());
      leg.on('ended', (e) => reject(new Error(`call ended: ${e.outcome}`)));
    });
    const tone = Int16Array.from({ length: 8000 * 3 }, (_, i) =>
      Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
    );
    leg.media!.sendAudio(tone);
    await sleep(800);
    const stallFrom = arrivalClockMs();
    busyWait(STALL_MS);
    const stallTo = arrivalClockMs();
    await sleep(500);
    await leg.hangUp();
    assert.equal((await sipp.done).code, 0, 'sipp saw a complete call');
    const stream = (await recorder.report()).find((s) => s.port === rtpPort);
    // Packets that arrived while the main thread was stalled, and the first one after it.
    return interArrivalDeviations(stream!, stallFrom, stallTo + 100);
  } finally {
    sipp.kill();
  }
}

describe('RTP while the main thread stalls for 200 ms', { concurrency: false, timeout: 60_000 }, () => {
  let recorder: ArrivalRecorder;
  before(() => (recorder = startArrivalRecorder()));
  after(() => recorder.close());

  it('media workers: packets keep their 20 ms spacing at the far end (jitter under 2 ms)', async () => {
    const base = await freePort();
    const pool = new RtpPortPool(base - (base % 2), base - (base % 2) + 19);
    const engine = await MediaWorkerPool.start({ workers: 2, pool, priority: 'realtime' });
    const ua = await startTestUa({ media: { pool, engine, bindAddress: '127.0.0.1' } });
    try {
      const deviations = await callWithStall(ua, recorder);
      assert.ok(
        deviations.length >= STALL_MS / 20 - 1,
        `packets kept arriving during the stall (${deviations.length})`,
      );
      const sorted = [...deviations].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const max = sorted.at(-1)!;
      assert.ok(median < JITTER_BOUND_MS, `median deviation ${median.toFixed(2)} ms < ${JITTER_BOUND_MS} ms`);
      assert.ok(max < JITTER_BOUND_MS + MARGIN_MS, `largest deviation ${max.toFixed(2)} ms`);
    } finally {
      await ua.close();
      await engine.close();
    }
  });

  it('contrast: RTP on the main thread leaves a gap as long as the stall (the measurement sees stalls)', async () => {
    const ua = await startTestUa();
    try {
      const deviations = await callWithStall(ua, recorder);
      const max = Math.max(...deviations);
      assert.ok(max > STALL_MS / 2, `a gap of ${max.toFixed(1)} ms at the far end`);
    } finally {
      await ua.close();
    }
  });
});
