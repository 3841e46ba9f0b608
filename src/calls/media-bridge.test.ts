import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createSocket } from 'node:dgram';
import { FRAME_SAMPLES } from '../audio/frame';
import { systemClock } from '../shared/clock';
import { systemTimers } from '../shared/timers';
import { MediaBridge } from './media-bridge';
import type { MediaPort } from './call-ports';

/*
 * The silence filler against a real event loop: caller audio arriving over a real UDP socket while
 * the process is busy (a stall, as under CPU load) is queued by the kernel, not missing; it must not
 * become silence for the agent and the answering-machine detector (a fake pause in a greeting reads
 * as "a word, then silence": a person).
 */
class Media extends EventEmitter implements MediaPort {
  sendAudio(): void {}
  clearOutgoing(): void {}
}

class Agent extends EventEmitter {
  async prewarm(): Promise<void> {}
  start(): void {}
  pushAudio(): void {}
  pushDtmf(): void {}
  transcript() {
    return [];
  }
  stop(): void {}
}

const busyFor = (ms: number) => {
  const until = systemClock.monotonicMs() + ms;
  while (systemClock.monotonicMs() < until) {
    /* a stalled event loop */
  }
};

test('caller audio queued during an event-loop stall is not turned into silence; a real gap still is', async () => {
  const media = new Media();
  const heard: ('voice' | 'silence')[] = [];
  const bridge = new MediaBridge({
    media,
    nowMs: () => systemClock.monotonicMs(),
    timers: systemTimers,
    agent: new Agent(),
    onCallerFrame: (f) => heard.push(f.some((s) => s !== 0) ? 'voice' : 'silence'),
  });
  const rx = createSocket('udp4');
  const tx = createSocket('udp4');
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
  const port = rx.address().port;
  let received = 0;
  rx.on('message', () => {
    received++;
    media.emit('audio', new Int16Array(FRAME_SAMPLES).fill(1000));
  });
  const send = () => new Promise<void>((r) => tx.send(Buffer.alloc(172), port, '127.0.0.1', () => r()));
  bridge.open();
  try {
    for (let i = 0; i < 5; i++) {
      await send();
      await new Promise((r) => setTimeout(r, 20));
    }
    while (received < 5) await new Promise((r) => setTimeout(r, 5));
    const before = heard.length;
    // 15 frames (300 ms of speech) reach the socket while the process is stalled for 400 ms.
    await Promise.all(Array.from({ length: 15 }, send));
    busyFor(400);
    while (received < 20) await new Promise((r) => setTimeout(r, 5));
    const afterStall = heard.slice(before, before + 15);
    assert.deepEqual(afterStall, Array(15).fill('voice'), `what followed the stall: ${heard.slice(before).join(',')}`);

    // Nothing arrives for 300 ms: that is a real gap, and the agent hears it as silence.
    const mark = heard.length;
    await new Promise((r) => setTimeout(r, 300));
    const filled = heard.slice(mark).filter((x) => x === 'silence').length;
    assert.ok(filled >= 8, `a real gap became silence frames (${filled})`);
  } finally {
    await bridge.close();
    rx.close();
    tx.close();
  }
});
