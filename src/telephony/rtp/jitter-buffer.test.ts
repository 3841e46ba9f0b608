import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer, type JitterItem } from './jitter-buffer';
import { LossConcealer } from './loss-concealer';

const show = (items: Array<JitterItem<string>>): string[] =>
  items.map((i) => (i.kind === 'lost' ? `lost:${i.seq}` : i.value));

function feed(jb: JitterBuffer<string>, seqs: number[]): string[] {
  return seqs.flatMap((s) => show(jb.push(s, `p${s}`)));
}

describe('jitter buffer', () => {
  it('passes in-order packets through at once', () => {
    const jb = new JitterBuffer<string>();
    assert.deepEqual(show(jb.push(10, 'p10')), ['p10']);
    assert.deepEqual(show(jb.push(11, 'p11')), ['p11']);
  });

  it('puts reordered packets back in sequence order', () => {
    const jb = new JitterBuffer<string>({ depthPackets: 3 });
    assert.deepEqual(feed(jb, [1, 3, 2, 4, 6, 5, 7]), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    assert.equal(jb.stats.lost, 0);
    assert.equal(jb.stats.reordered, 2);
  });

  it('declares a missing packet lost once depth newer packets wait, then drops it as late if it shows up', () => {
    const jb = new JitterBuffer<string>({ depthPackets: 2 });
    assert.deepEqual(feed(jb, [1, 3]), ['p1']);
    assert.deepEqual(feed(jb, [4]), ['lost:2', 'p3', 'p4']);
    assert.deepEqual(feed(jb, [2]), []);
    assert.equal(jb.stats.lost, 1);
    assert.equal(jb.stats.late, 1);
  });

  it('counts a packet that fills a gap behind newer ones as reordered', () => {
    const jb = new JitterBuffer<string>({ depthPackets: 3 });
    assert.deepEqual(feed(jb, [1, 3, 4, 2]), ['p1', 'p2', 'p3', 'p4']);
    assert.equal(jb.stats.reordered, 1);
  });

  it('reorders and conceals across the 16-bit sequence wrap', () => {
    const jb = new JitterBuffer<string>({ depthPackets: 2 });
    assert.deepEqual(feed(jb, [65534, 0, 65535, 2, 3]), ['p65534', 'p65535', 'p0', 'lost:1', 'p2', 'p3']);
  });

  it('drops duplicates', () => {
    const jb = new JitterBuffer<string>();
    assert.deepEqual(feed(jb, [5, 5, 6, 6]), ['p5', 'p6']);
    assert.equal(jb.stats.late, 2); // already played out
    const jb2 = new JitterBuffer<string>();
    assert.deepEqual(feed(jb2, [5, 7, 7]), ['p5']);
    assert.equal(jb2.stats.duplicates, 1);
  });

  it('treats a big jump as a new stream, not as thousands of lost packets', () => {
    const jb = new JitterBuffer<string>();
    assert.deepEqual(feed(jb, [100, 101, 30000, 30001]), ['p100', 'p101', 'p30000', 'p30001']);
    assert.equal(jb.stats.lost, 0);
    assert.equal(jb.stats.resyncs, 1);
  });

  it('reports at most maxConcealPackets lost slots for one long gap', () => {
    const jb = new JitterBuffer<string>({ depthPackets: 1, maxConcealPackets: 5 });
    const out = feed(jb, [1, 60]);
    assert.deepEqual(out, ['p1', 'lost:2', 'lost:3', 'lost:4', 'lost:5', 'lost:6', 'p60']);
    assert.equal(jb.stats.lost, 58);
  });

  it('drain() releases what it holds with lost slots for the gaps', () => {
    const jb = new JitterBuffer<string>({ depthPackets: 5 });
    assert.deepEqual(feed(jb, [1, 3, 5]), ['p1']);
    assert.deepEqual(show(jb.drain()), ['lost:2', 'p3', 'lost:4', 'p5']);
    assert.equal(jb.heldPackets, 0);
  });
});

describe('loss concealment', () => {
  it('repeats the last frame at falling levels, then silence, and fades the next good frame in', () => {
    const c = new LossConcealer();
    const good = new Int16Array(160).fill(1000);
    assert.deepEqual(c.good(good), good);
    assert.ok(c.conceal(160).every((v) => v === 500));
    assert.ok(c.conceal(160).every((v) => v === 250));
    assert.ok(c.conceal(160).every((v) => v === 0));
    const back = c.good(good);
    assert.ok(back[0]! < 50 && back[159] === 1000);
  });

  it('conceals with silence before any audio arrived', () => {
    assert.ok(new LossConcealer().conceal(160).every((v) => v === 0));
  });
});
