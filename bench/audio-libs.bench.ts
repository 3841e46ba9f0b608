/**
 * src/audio against the libraries it was measured against (ISSUE 9: keep our own code only
 * where it is faster; a test checks it against the library):
 *  - G.711: ours (table driven) vs alawmulaw (the test oracle in g711.test.ts);
 *  - WAV: ours vs wavefile (the test oracle in wav.test.ts);
 *  - resampling: production uses the SpeexDSP WASM resampler; figures for the rates the pipeline
 *    needs, as one buffer and in 20 ms chunks.
 * Each figure is the median of several runs after a warm-up, for 10 s of audio.
 */
import alawmulaw from 'alawmulaw';
import wavefile from 'wavefile';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw } from '../src/audio/g711';
import { resample, StreamingResampler } from '../src/audio/resampler';
import { SPEEX_BUILD } from '../src/audio/speex-module';
import { decodeWav, encodeWav } from '../src/audio/wav';

const { alaw, mulaw } = alawmulaw;
const { WaveFile } = wavefile;
const SECONDS = 10;

function medianMs(fn: () => void, runs = 7): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const speechLike = (rateHz: number): Int16Array =>
  Int16Array.from({ length: rateHz * SECONDS }, (_, i) =>
    Math.round(8000 * Math.sin((i * 22050) / rateHz / 7) * Math.sin((i * 22050) / rateHz / 900)),
  );

function streamed(x: Int16Array, fromHz: number, toHz: number): void {
  const r = new StreamingResampler(fromHz, toHz);
  const chunk = fromHz / 50;
  for (let i = 0; i < x.length; i += chunk) r.process(x.subarray(i, i + chunk));
  r.flush();
  r.close();
}

const f = (ms: number): string => `${ms.toFixed(2)} ms`;

export async function run(): Promise<void> {
  const pcm8k = speechLike(8000);
  const frames = Array.from({ length: pcm8k.length / 160 }, (_, i) => pcm8k.subarray(i * 160, (i + 1) * 160));
  console.log(
    `G.711, ${SECONDS} s encode+decode: µ-law ours ${f(medianMs(() => decodeMulaw(encodeMulaw(pcm8k))))} vs alawmulaw ${f(medianMs(() => mulaw.decode(mulaw.encode(pcm8k))))}` +
      ` | A-law ours ${f(medianMs(() => decodeAlaw(encodeAlaw(pcm8k))))} vs alawmulaw ${f(medianMs(() => alaw.decode(alaw.encode(pcm8k))))}` +
      ` | per 160-sample frame (µ-law) ours ${f(medianMs(() => frames.forEach((x) => decodeMulaw(encodeMulaw(x)))))} vs alawmulaw ${f(medianMs(() => frames.forEach((x) => mulaw.decode(mulaw.encode(x)))))}`,
  );

  const stereo = new Int16Array(pcm8k.length * 2);
  for (let i = 0; i < pcm8k.length; i++) [stereo[2 * i], stereo[2 * i + 1]] = [pcm8k[i]!, -pcm8k[i]!];
  for (const [label, pcm, channels] of [
    ['mono', pcm8k, 1],
    ['stereo', stereo, 2],
  ] as const) {
    const file = encodeWav(pcm, 8000, channels);
    const theirs = (): Uint8Array => {
      const w = new WaveFile();
      w.fromScratch(channels, 8000, '16', pcm);
      return w.toBuffer();
    };
    console.log(
      `WAV ${label} 8 kHz, ${SECONDS} s: encode ours ${f(medianMs(() => encodeWav(pcm, 8000, channels)))} vs wavefile ${f(medianMs(theirs))}` +
        ` | decode ours ${f(medianMs(() => decodeWav(file)))} vs wavefile ${f(medianMs(() => new WaveFile(file).getSamples(false, Int16Array)))}`,
    );
  }

  const cells: string[] = [];
  for (const [fromHz, toHz] of [
    [22050, 8000],
    [24000, 8000],
    [16000, 8000],
    [8000, 16000],
    [8000, 24000],
  ] as const) {
    const x = fromHz === 8000 ? pcm8k : speechLike(fromHz);
    cells.push(
      `${fromHz / 1000}→${toHz / 1000} kHz ${f(medianMs(() => resample(x, fromHz, toHz)))} (20 ms chunks ${f(medianMs(() => streamed(x, fromHz, toHz)))})`,
    );
  }
  console.log(`resampling (SpeexDSP WASM ${SPEEX_BUILD} build, quality 5), ${SECONDS} s: ${cells.join(', ')}`);
}
