import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FrameChunker, toFrames } from './frame-chunker';
import { FRAME_MS, FRAME_SAMPLES, SAMPLES_PER_MS, TELEPHONY_RATE_HZ } from './frame';

describe('frames', () => {
  test('one frame is 20 ms of 8 kHz audio: 160 samples', () => {
    assert.equal(FRAME_SAMPLES, 160);
    assert.equal((FRAME_SAMPLES * 1000) / TELEPHONY_RATE_HZ, FRAME_MS);
    assert.equal(SAMPLES_PER_MS * FRAME_MS, FRAME_SAMPLES);
  });

  test('the frame chunker makes exact 160-sample frames and pads the tail', () => {
    const c = new FrameChunker();
    assert.equal(c.push(new Int16Array(100)).length, 0);
    assert.equal(c.push(new Int16Array(300)).length, 2);
    const tail = c.flush();
    assert.equal(tail.length, 1);
    assert.equal(tail[0]!.length, 160);
  });

  test('as a queue it keeps sample order across chunk edges, counts what waits, and clears', () => {
    const c = new FrameChunker(4);
    c.write(Int16Array.from([1, 2, 3]));
    c.write(Int16Array.from([4, 5, 6, 7, 8, 9]));
    assert.equal(c.frames, 2);
    assert.equal(c.samples, 9);
    assert.deepEqual(c.shift(), Int16Array.from([1, 2, 3, 4]));
    assert.deepEqual(c.shift(), Int16Array.from([5, 6, 7, 8]));
    assert.equal(c.shift(), undefined, 'a partial frame waits for more');
    assert.deepEqual(c.shift(true), Int16Array.from([9, 0, 0, 0]), 'or comes out zero-padded');
    c.write(new Int16Array(10));
    c.clear();
    assert.equal(c.samples, 0);
    assert.deepEqual(c.flush(), []);
  });

  test('toFrames cuts a buffer into whole frames, the last one zero-padded', () => {
    const frames = toFrames(Int16Array.from({ length: 330 }, (_, i) => i + 1));
    assert.deepEqual(
      frames.map((f) => f.length),
      [160, 160, 160],
    );
    assert.equal(frames[2]![9], 330);
    assert.equal(frames[2]![10], 0);
  });
});
