import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_SAMPLES, TELEPHONY_RATE_HZ } from '../../../audio/frame';
import { decodeMulaw, encodeMulaw } from '../../../audio/g711';
import { resample } from '../../../audio/resampler';
import { decodeWav } from '../../../audio/wav';
import { ASTERISK_SOUNDS } from '../../../voice/testing/speech-fixtures';

/**
 * The speakers of the labelled answer set (answer-recordings.ts), all real speech engines or
 * recordings, as 8 kHz samples: Debian's Allison prompts (a recorded woman), flite's voices
 * (kal, slt, rms, awb) and espeak-ng's (en-us, en-gb and their variants). Synthesis is
 * deterministic; its WAVs are cached in the temp dir so a bench or test run synthesizes once.
 */
export type Speaker =
  | { allison: string }
  | { flite: 'kal' | 'slt' | 'rms' | 'awb'; text: string }
  | { espeak: string; text: string; wpm?: number };

const CACHE_DIR = join(tmpdir(), 'thunderphone-amd-voices-v1');

/** What an Allison prompt says (the set's transcripts, for the simulated speech-to-text). */
const ALLISON_WORDS: Record<string, string> = {
  hello: 'Hello?',
  'hello-world': 'Hello world.',
  goodbye: 'Goodbye.',
  'im-sorry': "I'm sorry?",
  'vm-nobodyavail': 'Nobody is available to take your call at the moment.',
  'vm-intro': 'Please leave your message after the tone. When done, hang up, or press the pound key.',
  'vm-theperson': 'The person at extension',
  'vm-isunavail': 'is unavailable.',
  'vm-isonphone': 'is on the phone.',
  'number-not-answering': 'The number you have called is not answering.',
  'vm-leavemsg': 'Leave a message.',
  'digits/0': 'zero',
  'digits/1': 'one',
  'digits/2': 'two',
  'digits/3': 'three',
  'digits/4': 'four',
  'digits/5': 'five',
};

/** What the speaker says, as a speech-to-text provider would write it. */
export function wordsOf(s: Speaker): string {
  if ('allison' in s) return ALLISON_WORDS[s.allison] ?? '';
  return s.text;
}

/** A short label of the voice ("allison", "flite/kal", "espeak/en-gb+m3"). */
export function voiceOf(s: Speaker): string {
  if ('allison' in s) return 'allison';
  if ('flite' in s) return `flite/${s.flite}`;
  return `espeak/${s.espeak}`;
}

/** The speaker's words as 8 kHz samples (the engine's own leading and trailing silence included). */
export function speak(s: Speaker): Int16Array {
  if ('allison' in s) return wavFile(`${ASTERISK_SOUNDS}/${s.allison}.wav`);
  const args =
    'flite' in s
      ? ['flite', ['-voice', s.flite, '-t', ` ${s.text}`, '-o']]
      : ['espeak-ng', ['-v', s.espeak, '-s', String(s.wpm ?? 165), '-w']];
  const [cmd, pre] = args as [string, string[]];
  const key = createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 20);
  const file = join(CACHE_DIR, `${key}.wav`);
  if (!existsSync(file)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const part = `${file}.${process.pid}.part`;
    const argv = 'flite' in s ? [...pre, part] : [...pre, part, s.text];
    const r = spawnSync(cmd, argv);
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr?.toString() ?? r.error}`);
    renameSync(part, file);
  }
  return wavFile(file);
}

function wavFile(path: string): Int16Array {
  const wav = decodeWav(readFileSync(path));
  return wav.sampleRateHz === TELEPHONY_RATE_HZ
    ? wav.samples
    : resample(wav.samples, wav.sampleRateHz, TELEPHONY_RATE_HZ);
}

/** Debian's real voicemail beep (a 700 Hz tone, asterisk-core-sounds). */
export const beepSamples = (): Int16Array => wavFile(`${ASTERISK_SOUNDS}/beep.wav`);

/** RMS level of the louder half of the 20 ms frames, dBFS: the level of the speech itself. */
export function activeLevelDbfs(x: Int16Array): number {
  const levels: number[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= x.length; i += FRAME_SAMPLES) {
    let e = 0;
    for (let j = i; j < i + FRAME_SAMPLES; j++) e += ((x[j] ?? 0) / 32768) ** 2;
    levels.push(e / FRAME_SAMPLES);
  }
  levels.sort((a, b) => b - a);
  const top = levels.slice(0, Math.max(1, Math.ceil(levels.length / 2)));
  return 10 * Math.log10(top.reduce((a, b) => a + b, 0) / top.length + 1e-12);
}

/** Scales `x` so that its active speech level is `dbfs` (clipped to 16 bits). */
export function atLevel(x: Int16Array, dbfs: number): Int16Array {
  const g = 10 ** ((dbfs - activeLevelDbfs(x)) / 20);
  return x.map((v) => Math.max(-32768, Math.min(32767, Math.round(v * g))));
}

export type NoiseKind = 'hiss' | 'rumble';

/**
 * Seeded background noise at `dbfs` RMS: `hiss` is white (a noisy line), `rumble` is brown noise
 * high-passed at ~150 Hz (traffic, a room, a car), both deterministic.
 */
export function noise(samples: number, kind: NoiseKind, dbfs: number, seed: number): Float64Array {
  let x = seed * 2654435761 + 1;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff - 0.5;
  };
  const out = new Float64Array(samples);
  let brown = 0;
  let low = 0;
  for (let i = 0; i < samples; i++) {
    if (kind === 'hiss') out[i] = rnd();
    else {
      brown = 0.995 * brown + rnd();
      low += 0.11 * (brown - low);
      out[i] = brown - low;
    }
  }
  let e = 0;
  for (const v of out) e += v * v;
  const g = (32768 * 10 ** (dbfs / 20)) / Math.sqrt(e / Math.max(1, samples) + 1e-12);
  for (let i = 0; i < samples; i++) out[i] = (out[i] ?? 0) * g;
  return out;
}

/** The phone line: G.711 µ-law there and back, as every RTP frame of a real call. */
export const overTheLine = (x: Int16Array): Int16Array => decodeMulaw(encodeMulaw(x));
