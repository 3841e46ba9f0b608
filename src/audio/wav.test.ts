import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import wavefile from 'wavefile';
import { decodeWav, encodeWav, parseWavHeader, readWavInfo, wavHeader } from './wav';
import { WavStreamDecoder } from './wav-stream-decoder';

const { WaveFile } = wavefile;

const tone = (hz: number, rate: number, n: number, amp = 10000): Int16Array =>
  Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)));

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
    n += dec.end().length;
    assert.ok(Math.abs(n - 800) <= 2, `got ${n} samples`);
  });

  test('the stream decoder takes the first channel of a stereo stream and passes 8 kHz through unchanged', () => {
    const left = tone(440, 8000, 400);
    const interleaved = new Int16Array(800);
    for (let i = 0; i < 400; i++) [interleaved[2 * i], interleaved[2 * i + 1]] = [left[i]!, -1234];
    const dec = new WavStreamDecoder();
    const out = dec.push(encodeWav(interleaved, 8000, 2));
    assert.deepEqual(Int16Array.from([...out, ...dec.end()]), left);
    assert.throws(() => dec.push(Buffer.alloc(4)), /ended/);
  });
});

describe('WAV against the wavefile library (oracle)', () => {
  for (const [channels, rate] of [
    [1, 8000],
    [1, 22050],
    [2, 8000],
  ] as const) {
    test(`${channels === 1 ? 'mono' : 'stereo'} ${rate} Hz: our file is byte-identical to wavefile's`, () => {
      const pcm = tone(300, rate, 1000 * channels);
      const theirs = new WaveFile();
      theirs.fromScratch(channels, rate, '16', pcm);
      assert.deepEqual(encodeWav(pcm, rate, channels), Buffer.from(theirs.toBuffer()));
      assert.deepEqual(wavHeader(rate, channels, pcm.length * 2), Buffer.from(theirs.toBuffer()).subarray(0, 44));
    });
  }

  test('a file wavefile wrote with extra chunks (LIST tags) decodes to the samples wavefile reads back', () => {
    const pcm = tone(700, 16000, 3200);
    const theirs = new WaveFile();
    theirs.fromScratch(1, 16000, '16', pcm);
    theirs.setTag('INAM', 'odd-length title');
    const file = Buffer.from(theirs.toBuffer());
    const info = readWavInfo(file);
    assert.equal(info.sampleRateHz, 16000);
    assert.equal(info.channels, 1);
    assert.equal(info.dataBytes, pcm.length * 2);
    const reread = new WaveFile(file).getSamples(false, Int16Array) as unknown as Int16Array;
    const ours = new Int16Array(
      file.buffer.slice(file.byteOffset + info.dataOffset, file.byteOffset + info.dataOffset + info.dataBytes),
    );
    assert.deepEqual(ours, Int16Array.from(reread));
    assert.deepEqual(ours, pcm);
  });

  test('the first channel of a stereo file wavefile wrote', () => {
    const interleaved = tone(500, 8000, 2000);
    const theirs = new WaveFile();
    theirs.fromScratch(2, 8000, '16', interleaved);
    const channels = new WaveFile(theirs.toBuffer()).getSamples(false, Int16Array) as unknown as Int16Array[];
    assert.deepEqual(decodeWav(Buffer.from(theirs.toBuffer())).samples, Int16Array.from(channels[0]!));
  });
});
