/**
 * Recording in the media workers: a 300 ms stall of the main event loop during a recorded call
 * must leave no gap in the WAV file. sipp answers and streams a real recorded prompt (Allison's
 * vm-intro, μ-law) at us, at real-time priority like the media workers (so this loaded machine
 * does not make sipp itself send late); we send a 440 Hz tone back. The call is recorded exactly as the calls
 * module does it (CallRecording started on the leg's media), with RTP in media worker threads.
 *
 * What a listener of the recording would notice, checked against what was really sent:
 * - the caller channel holds sipp's stream sample for sample (G.711 decoding is exact): every
 *   20 ms frame of the prompt, contiguous, no silence pushed into the middle of a word;
 * - the agent channel holds the whole tone without a silent frame inside it;
 * - the file is as long as the recording ran (a stalled recorder adds the stall at the end).
 * The contrast run records the same call from the main thread (frames as they reach the
 * main thread, the way MediaBridge used to feed the recorder) and shows the gap, so the test can fail.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeMulaw } from '../../src/audio/g711';
import { parseWavHeader } from '../../src/audio/wav';
import { CallRecording } from '../../src/calls/call-recording';
import type { MediaPort } from '../../src/calls/call-ports';
import { systemClock } from '../../src/shared/clock';
import { silentLogger } from '../../src/shared/log';
import { MediaWorkerPool } from '../../src/telephony/media/media-worker-pool';
import { RtpPortPool } from '../../src/telephony/rtp/port-pool';
import { freePort, startSipp } from './sipp-harness';
import { startTestUa } from './ua-fixture';

const STALL_MS = 300;
const FRAME = 160;
const TONE_S = 3;
/**
 * How far the file's length may differ from the time it was recorded (the start and stop
 * commands' trips to the worker on a loaded machine): half the stall, which a recorder that
 * stalls with the main thread adds to the file.
 */
const LENGTH_SLACK_MS = STALL_MS / 2;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the main thread does nothing else: a slow query, a big JSON parse
  }
}

interface Recorded {
  left: Int16Array;
  right: Int16Array;
  durationMs: number;
  recordedForMs: number;
}

function readStereo(path: string): { left: Int16Array; right: Int16Array } {
  const wav = readFileSync(path);
  const header = parseWavHeader(wav);
  assert.ok(header, 'a WAV header');
  assert.equal(header.channels, 2);
  const data = wav.subarray(header.dataOffset);
  const n = Math.floor(data.length / 4);
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    left[i] = data.readInt16LE(i * 4);
    right[i] = data.readInt16LE(i * 4 + 2);
  }
  return { left, right };
}

/** Where `needle` starts in `hay`, exactly, or -1. */
function indexOfSamples(hay: Int16Array, needle: Int16Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Frames of `source` (full 20 ms frames, from its first loud one) not found at their place in
 * `channel`, once that first loud stretch is located in it.
 */
function missingFrames(channel: Int16Array, source: Int16Array): { located: boolean; missing: number[] } {
  const loud = source.findIndex((s) => Math.abs(s) > 2000);
  const anchorAt = Math.max(0, loud - (loud % FRAME));
  const at = indexOfSamples(channel, source.subarray(anchorAt, anchorAt + 4 * FRAME));
  if (at < 0) return { located: false, missing: [] };
  const offset = at - anchorAt;
  const missing: number[] = [];
  // From the first word on (sipp starts streaming at its ACK, our recording at the 200 OK: a
  // frame of the lead-in silence may come before it).
  for (let f = anchorAt / FRAME; (f + 1) * FRAME <= source.length; f++) {
    for (let j = f * FRAME; j < (f + 1) * FRAME; j++) {
      if (channel[offset + j] !== source[j]) {
        missing.push(f);
        break;
      }
    }
  }
  return { located: true, missing };
}

/** Silent 20 ms frames between the first and the last frame of the tone in `channel`. */
function silentFramesInsideTone(channel: Int16Array): { toneFrames: number; silentInside: number } {
  const frames = Math.floor(channel.length / FRAME);
  const loud: boolean[] = [];
  for (let f = 0; f < frames; f++) {
    let peak = 0;
    for (let j = f * FRAME; j < (f + 1) * FRAME; j++) peak = Math.max(peak, Math.abs(channel[j]!));
    loud.push(peak > 1000);
  }
  const first = loud.indexOf(true);
  const last = loud.lastIndexOf(true);
  if (first < 0) return { toneFrames: 0, silentInside: 0 };
  const inside = loud.slice(first, last + 1);
  return { toneFrames: inside.filter(Boolean).length, silentInside: inside.filter((x) => !x).length };
}

describe('recording while the main thread stalls for 300 ms', { concurrency: false, timeout: 90_000 }, () => {
  let dir: string;
  let ulawPath: string;
  let source: Int16Array;
  let engine: MediaWorkerPool;
  let pool: RtpPortPool;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-stall-'));
    ulawPath = join(dir, 'vm-intro.ulaw');
    const sox = spawnSync('sox', [
      '/usr/share/asterisk/sounds/en_US_f_Allison/vm-intro.wav',
      '-r',
      '8000',
      '-c',
      '1',
      '-t',
      'ul',
      ulawPath,
    ]);
    assert.equal(sox.status, 0, sox.stderr?.toString());
    source = decodeMulaw(new Uint8Array(readFileSync(ulawPath)));
    const base = await freePort();
    pool = new RtpPortPool(base - (base % 2), base - (base % 2) + 19);
    engine = await MediaWorkerPool.start({ workers: 2, pool, priority: 'realtime' });
  });
  after(async () => {
    await engine.close();
    if (!process.env.KEEP_REC) rmSync(dir, { recursive: true, force: true });
    else console.log('kept', dir);
  });

  /**
   * One recorded call, the main thread stalled `stallMs` 1 s into sipp's speech. `recordOn`:
   * `worker` records in the session's media worker, `main` from its frames on the main thread;
   * `in-process` runs RTP itself on the main thread (MEDIA_WORKERS=0).
   */
  async function recordedCall(
    name: string,
    recordOn: 'worker' | 'main' | 'in-process',
    stallMs: number,
  ): Promise<Recorded> {
    const ua = await startTestUa(
      recordOn === 'in-process' ? {} : { media: { pool, engine, bindAddress: '127.0.0.1' } },
    );
    const sipp = await startSipp('uas-speech.xml', { vars: { audio: ulawPath }, timeoutS: 30, realtime: true });
    try {
      const leg = ua.dial({ target: `sip:rec@127.0.0.1:${sipp.port}`, fromUser: 'tp' });
      await new Promise<void>((resolve, reject) => {
        leg.on('answered', () => resolve());
        leg.on('ended', (e) => reject(new Error(`call ended: ${e.outcome}`)));
      });
      const media = leg.media!;
      assert.equal(typeof media.record, recordOn === 'in-process' ? 'undefined' : 'function', 'where RTP lives');
      const path = join(dir, `${name}.wav`);
      const recording = new CallRecording({ path, clock: systemClock, log: silentLogger });
      // 'main': the same session, but recorded from its frames as they reach the main thread.
      const port: MediaPort =
        recordOn !== 'main'
          ? media
          : { on: (e, l) => media.on(e, l), sendAudio: (f) => media.sendAudio(f), clearOutgoing: () => undefined };
      const startedMs = performance.now();
      recording.start(port);
      media.sendAudio(
        Int16Array.from({ length: 8000 * TONE_S }, (_, i) =>
          Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)),
        ),
      );
      await sleep(1000);
      busyWait(stallMs);
      await sleep(source.length / 8 - 1000 + 800);
      const recordedForMs = performance.now() - startedMs;
      const summary = await recording.close();
      await leg.hangUp();
      assert.equal((await sipp.done).code, 0, 'sipp saw a complete call');
      assert.ok(summary, 'the recording reports its file');
      assert.equal(summary.path, path);
      const { left, right } = readStereo(path);
      assert.equal(summary.dataBytes, left.length * 4, 'the reported size is the file data');
      return { left, right, durationMs: summary.durationMs, recordedForMs };
    } finally {
      sipp.kill();
      await ua.close();
    }
  }

  it('media workers: both channels run without a gap, as long as the call, the caller channel is what sipp sent', async () => {
    const r = await recordedCall('worker', 'worker', STALL_MS);
    assertFaithful(r);
  });

  it('contrast: recorded from the main thread, the stall becomes a gap in both channels', async () => {
    const r = await recordedCall('main', 'main', STALL_MS);
    const inbound = missingFrames(r.left, source);
    const tone = silentFramesInsideTone(r.right);
    assert.ok(
      !inbound.located || inbound.missing.length >= STALL_MS / 2 / 20 || tone.silentInside >= STALL_MS / 2 / 20,
      `a gap: ${inbound.missing.length} prompt frames moved, ${tone.silentInside} silent frames inside the tone`,
    );
  });

  it('in-process RTP (MEDIA_WORKERS=0), no stall: the same recorder on the main thread records both sides', async () => {
    const r = await recordedCall('in-process', 'in-process', 0);
    // RTP on the main thread of this shared, loaded machine is itself late now and then (what the
    // workers fix), and a late burst shifts the frames after it: every frame of the prompt is
    // there, but not necessarily at its place.
    const first = source.findIndex((x) => Math.abs(x) > 2000);
    let found = 0;
    let frames = 0;
    for (let f = Math.floor(first / FRAME); (f + 1) * FRAME <= source.length; f++, frames++)
      if (indexOfSamples(r.left, source.subarray(f * FRAME, (f + 1) * FRAME)) >= 0) found++;
    assert.ok(found >= frames * 0.98, `${found} of ${frames} prompt frames in the caller channel`);
    const tone = silentFramesInsideTone(r.right);
    assert.ok(
      tone.toneFrames >= ((TONE_S * 1000) / 20) * 0.9,
      `the tone is in the agent channel (${tone.toneFrames} frames)`,
    );
  });

  function assertFaithful(r: Recorded): void {
    const inbound = missingFrames(r.left, source);
    assert.ok(inbound.located, 'the prompt is found in the caller channel');
    assert.equal(
      inbound.missing.length,
      0,
      `prompt frames missing or moved: ${inbound.missing.length} of ${source.length / FRAME}, from ${inbound.missing[0]}`,
    );
    const tone = silentFramesInsideTone(r.right);
    assert.equal(tone.silentInside, 0, `no silent frame inside the tone (${tone.silentInside} of ${tone.toneFrames})`);
    assert.ok(Math.abs(tone.toneFrames - (TONE_S * 1000) / 20) <= 1, `the whole tone (${tone.toneFrames} frames)`);
    assert.ok(
      Math.abs(r.durationMs - r.recordedForMs) < LENGTH_SLACK_MS,
      `recording ${r.durationMs} ms vs recorded for ${r.recordedForMs.toFixed(0)} ms`,
    );
  }
});
