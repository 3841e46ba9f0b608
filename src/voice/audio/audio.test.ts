import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FrameChunker, StreamingResampler } from './resampler';
import { decodeWav, encodeWav, parseWavHeader } from './wav';
import { WavStreamDecoder } from '../tts/wav-stream-decoder';

const tone = (hz: number, rate: number, n: number, amp = 10000): Int16Array =>
  Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)));
const rms = (s: Int16Array): number => Math.sqrt(s.reduce((a, x) => a + x * x, 0) / s.length);
const zeroCrossings = (s: Int16Array): number =>
  s.reduce((n, x, i) => (i > 0 && s[i - 1]! < 0 !== x < 0 ? n + 1 : n), 0);

describe('Resampling to 8 kHz', () => {
  test('a 1 kHz tone at 22,050 Hz stays a 1 kHz tone of the same level, fed in odd-sized chunks', () => {
    const input = tone(1000, 22050, 22050);
    const r = new StreamingResampler(22050, 8000);
    const parts: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 777) parts.push(r.push(input.subarray(i, i + 777)));
    const out = Int16Array.from(parts.flatMap((p) => [...p]));
    assert.ok(Math.abs(out.length - 8000) <= 5, `length ${out.length}`);
    const body = out.subarray(100, 7900);
    assert.ok(Math.abs(zeroCrossings(body) / (body.length / 8000) - 2000) < 20, 'still 1 kHz');
    assert.ok(Math.abs(rms(body) - rms(input)) / rms(input) < 0.05, 'same level');
  });

  test('content above the new Nyquist frequency is filtered out instead of aliasing', () => {
    const out = new StreamingResampler(22050, 8000).push(tone(6000, 22050, 22050));
    assert.ok(rms(out.subarray(100)) < 500, `6 kHz tone leaks at rms ${rms(out.subarray(100))}`);
  });

  test('the frame chunker makes exact 160-sample frames and pads the tail', () => {
    const c = new FrameChunker();
    assert.equal(c.push(new Int16Array(100)).length, 0);
    assert.equal(c.push(new Int16Array(300)).length, 2);
    const tail = c.flush();
    assert.equal(tail.length, 1);
    assert.equal(tail[0]!.length, 160);
  });
});

describe('WAV', () => {
  test('encode → decode round-trips, and a streaming header with placeholder sizes is accepted', () => {
    const s = tone(440, 8000, 800);
    const wav = encodeWav(s, 8000);
    assert.deepEqual(decodeWav(wav), { sampleRateHz: 8000, samples: s });
    const streaming = Buffer.from(wav);
    streaming.writeUInt32LE(0x7ffff000, 4);
    streaming.writeUInt32LE(0x7ffff000, 40);
    assert.equal(parseWavHeader(streaming)?.dataOffset, 44);
    assert.equal(parseWavHeader(streaming.subarray(0, 30)), undefined, 'needs more bytes');
    assert.throws(() => parseWavHeader(Buffer.from('NOT A WAV FILE AT ALL')), /RIFF/);
  });

  test('the stream decoder handles a header split across chunks and odd byte boundaries', () => {
    const wav = encodeWav(tone(440, 16000, 1600), 16000);
    const dec = new WavStreamDecoder(8000);
    let n = 0;
    for (let i = 0; i < wav.length; i += 7) n += dec.push(wav.subarray(i, i + 7)).length;
    assert.ok(Math.abs(n - 800) <= 2, `got ${n} samples`);
  });
});
