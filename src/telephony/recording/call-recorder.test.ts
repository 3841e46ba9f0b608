import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FakeClock } from '../../shared/clock';
import { CallRecorder } from './call-recorder';
import { readWavInfo } from '../../audio/wav';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-rec-'));
  dirs.push(dir);
  return join(dir, 'nested', name);
}

function frame(value: number): Int16Array {
  return new Int16Array(160).fill(value);
}

function readChannels(path: string): {
  info: ReturnType<typeof readWavInfo>;
  left: Int16Array;
  right: Int16Array;
  mono: Int16Array;
} {
  const buf = readFileSync(path);
  const info = readWavInfo(buf);
  const samples = new Int16Array(
    buf.buffer.slice(buf.byteOffset + info.dataOffset, buf.byteOffset + info.dataOffset + info.dataBytes),
  );
  const left = samples.filter((_, i) => i % 2 === 0);
  const right = samples.filter((_, i) => i % 2 === 1);
  return { info, left, right, mono: samples };
}

describe('CallRecorder', () => {
  it('writes a stereo WAV: far end left, agent right, aligned on one timeline while the agent is silent at first', async () => {
    const clock = new FakeClock();
    const path = tempPath('call.wav');
    const rec = new CallRecorder({ path, sampleRateHz: 8000, channels: 2, clock });
    for (let i = 0; i < 50; i++) {
      rec.writeInbound(frame(1000 + i));
      if (i >= 25 && i < 35) rec.writeOutbound(frame(-2000 - i));
      clock.advance(20);
    }
    const result = await rec.close();
    assert.equal(result.durationMs, 1000);
    const { info, left, right } = readChannels(path);
    assert.deepEqual(
      { rate: info.sampleRateHz, ch: info.channels, bits: info.bitsPerSample, bytes: info.dataBytes },
      { rate: 8000, ch: 2, bits: 16, bytes: 8000 * 4 },
    );
    for (let i = 0; i < 50; i++) assert.equal(left[i * 160], 1000 + i, `left frame ${i}`);
    assert.ok(
      right.subarray(0, 25 * 160).every((v) => v === 0),
      'agent silent for the first 500 ms',
    );
    for (let i = 25; i < 35; i++)
      assert.equal(right[i * 160 + 80], -2000 - i, `right frame ${i} lines up with left frame ${i}`);
    assert.ok(right.subarray(35 * 160).every((v) => v === 0));
  });

  it('keeps both sides aligned when the far end goes quiet (no frames at all) in the middle', async () => {
    const clock = new FakeClock();
    const path = tempPath('gap.wav');
    const rec = new CallRecorder({ path, clock });
    for (let i = 0; i < 100; i++) {
      if (i < 20 || i >= 60) rec.writeInbound(frame(500));
      rec.writeOutbound(frame(i));
      clock.advance(20);
    }
    await rec.close();
    const { left, right } = readChannels(path);
    assert.equal(left.length, 100 * 160);
    for (let i = 0; i < 100; i++) assert.equal(right[i * 160], i);
    assert.ok(left.subarray(20 * 160, 60 * 160).every((v) => v === 0));
    assert.equal(left[60 * 160], 500, 'far end resumes at its real time');
  });

  it('queues a burst written faster than real time after itself, not on top of itself', async () => {
    const clock = new FakeClock();
    const path = tempPath('burst.wav');
    const rec = new CallRecorder({ path, clock });
    for (let i = 0; i < 10; i++) rec.writeOutbound(frame(i + 1)); // 200 ms of TTS at once
    for (let i = 0; i < 20; i++) {
      rec.writeInbound(frame(7));
      clock.advance(20);
    }
    await rec.close();
    const { right } = readChannels(path);
    for (let i = 0; i < 10; i++) assert.equal(right[i * 160], i + 1);
    assert.equal(right[10 * 160], 0);
  });

  it('mixes both sides into mono when asked', async () => {
    const clock = new FakeClock();
    const path = tempPath('mono.wav');
    const rec = new CallRecorder({ path, channels: 1, clock });
    for (let i = 0; i < 5; i++) {
      rec.writeInbound(frame(30000));
      rec.writeOutbound(frame(i === 0 ? 10000 : -100));
      clock.advance(20);
    }
    const result = await rec.close();
    const { info, mono } = readChannels(path);
    assert.equal(info.channels, 1);
    assert.equal(mono.length, 5 * 160);
    assert.equal(mono[0], 32767, 'clipped, not wrapped');
    assert.equal(mono[160], 29900);
    assert.equal(result.durationMs, 100);
  });

  it('a file that cannot be created takes frames without throwing, and close() reports the error', async () => {
    const clock = new FakeClock();
    const blocker = tempPath('not-a-dir');
    mkdirSync(dirname(blocker), { recursive: true });
    writeFileSync(blocker, 'x');
    const rec = new CallRecorder({ path: join(blocker, 'call.wav'), clock });
    rec.writeInbound(frame(1));
    rec.writeOutbound(frame(2));
    clock.advance(20);
    await assert.rejects(rec.close(), /ENOTDIR|EEXIST/);
  });

  it('streams to disk while recording and is understood by sox', async () => {
    const clock = new FakeClock();
    const path = tempPath('long.wav');
    const rec = new CallRecorder({ path, clock });
    for (let i = 0; i < 1500; i++) {
      rec.writeInbound(frame(i % 100));
      rec.writeOutbound(frame(-(i % 100)));
      clock.advance(20);
    }
    const deadline = Date.now() + 5000;
    // The file is opened off the thread: it appears, then fills, while the recording goes on.
    const size = (): number => (existsSync(path) ? statSync(path).size : 0);
    while (size() < 400_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(size() > 400_000, 'most of the 30 s are on disk before close');
    const result = await rec.close();
    assert.equal(result.durationMs, 30_000);
    assert.equal(statSync(path).size, 44 + 30 * 8000 * 4);
    if (existsSync('/usr/bin/sox')) {
      const soxi = execFileSync('sox', ['--i', path], { encoding: 'utf8' });
      assert.match(soxi, /Channels\s*: 2/);
      assert.match(soxi, /Sample Rate\s*: 8000/);
      assert.match(soxi, /Duration\s*: 00:00:30\.00 = 240000 samples/);
    }
  });

  it('close() is idempotent and later writes are ignored', async () => {
    const clock = new FakeClock();
    const path = tempPath('idem.wav');
    const rec = new CallRecorder({ path, clock });
    rec.writeInbound(frame(1));
    clock.advance(20);
    const [a, b] = await Promise.all([rec.close(), rec.close()]);
    assert.deepEqual(a, b);
    rec.writeInbound(frame(1));
    assert.equal((await rec.close()).durationMs, 20);
    assert.equal(statSync(path).size, 44 + 160 * 4);
  });

  it('an empty recording is a valid WAV with no samples', async () => {
    const path = tempPath('empty.wav');
    const result = await new CallRecorder({ path, clock: new FakeClock() }).close();
    assert.equal(result.durationMs, 0);
    assert.equal(readChannels(path).info.dataBytes, 0);
  });
});
