import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  digitToEvent,
  DtmfReceiver,
  DtmfSender,
  encodeTelephoneEvent,
  parseTelephoneEvent,
  type DtmfSlot,
} from './dtmf-rfc4733';

function play(sender: DtmfSender, startTs: number, slots: number): DtmfSlot[] {
  const out: DtmfSlot[] = [];
  for (let i = 0; i < slots; i++) {
    const s = sender.next(startTs + i * 160);
    if (!s) break;
    out.push(s);
  }
  return out;
}

describe('RFC 4733 telephone-events', () => {
  it('encodes and parses the 4-byte payload', () => {
    const bytes = encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 2240 });
    assert.equal(Buffer.from(bytes).toString('hex'), '0b8a08c0'); // the end packet of sipp's dtmf_2833_pound.pcap
    assert.deepEqual(parseTelephoneEvent(bytes), { event: 11, end: true, volume: 10, duration: 2240 });
    assert.equal(parseTelephoneEvent(new Uint8Array(3)), undefined);
  });

  it('maps digits to events', () => {
    assert.deepEqual([...'0189*#AD'].map(digitToEvent), [0, 1, 8, 9, 10, 11, 12, 15]);
    assert.equal(digitToEvent('x'), undefined);
    assert.equal(digitToEvent('12'), undefined);
  });

  it('sends a digit as growing-duration packets with one timestamp, marker first, three end packets, then a gap', () => {
    const sender = new DtmfSender({ toneMs: 100, gapMs: 60 });
    let done = 0;
    sender.enqueue(5, (ok) => ok && done++);
    const slots = play(sender, 8000, 20);
    const events = slots
      .filter((s) => s.kind === 'event')
      .map((s) => ({ ...parseTelephoneEvent(s.payload!)!, marker: s.marker, ts: s.timestamp }));
    assert.deepEqual(
      events.map((e) => e.duration),
      [160, 320, 480, 640, 800, 800, 800],
    );
    assert.deepEqual(
      events.map((e) => e.end),
      [false, false, false, false, true, true, true],
    );
    assert.deepEqual(
      events.map((e) => e.marker),
      [true, false, false, false, false, false, false],
    );
    assert.ok(events.every((e) => e.ts === 8000 && e.event === 5));
    assert.deepEqual(
      slots.slice(7).map((s) => s.kind),
      ['gap', 'gap', 'gap'],
    );
    assert.equal(slots.length, 10);
    assert.equal(done, 1);
    assert.equal(sender.busy, false);
  });

  it('cancel() fails the pending digits', () => {
    const sender = new DtmfSender();
    const results: boolean[] = [];
    sender.enqueue(1, (ok) => results.push(ok));
    sender.enqueue(2, (ok) => results.push(ok));
    sender.next(0);
    sender.cancel();
    assert.deepEqual(results, [false, false]);
  });

  it('receives one digit per event despite repeated end packets and reordering', () => {
    const sender = new DtmfSender();
    sender.enqueue(9, () => {});
    sender.enqueue(10, () => {});
    const slots = play(sender, 1600, 40).filter((s) => s.kind === 'event');
    [slots[1], slots[2]] = [slots[2]!, slots[1]!];
    const rx = new DtmfReceiver();
    const digits = slots.flatMap((s) => rx.receive(s.timestamp!, s.payload!));
    assert.deepEqual(digits, [
      { digit: '9', durationMs: 100 },
      { digit: '*', durationMs: 100 },
    ]);
  });

  it('reports a digit whose end packets were all lost when the next one starts (or on flush)', () => {
    const rx = new DtmfReceiver();
    assert.deepEqual(rx.receive(100, encodeTelephoneEvent({ event: 3, end: false, volume: 10, duration: 480 })), []);
    assert.deepEqual(rx.receive(5000, encodeTelephoneEvent({ event: 4, end: false, volume: 10, duration: 160 })), [
      { digit: '3', durationMs: 60 },
    ]);
    assert.deepEqual(rx.flush(), [{ digit: '4', durationMs: 20 }]);
    assert.deepEqual(
      rx.receive(100, encodeTelephoneEvent({ event: 3, end: true, volume: 10, duration: 800 })),
      [],
      'late end of a reported event',
    );
  });
});
