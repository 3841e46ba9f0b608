import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_MS, FRAME_SAMPLES, TELEPHONY_RATE_HZ } from '../../audio/frame';
import { toFrames } from '../../audio/frame-chunker';
import { resample } from '../../audio/resampler';
import { decodeWav } from '../../audio/wav';

/** Real 8 kHz human prompts from Debian's asterisk-core-sounds-en-wav. */
export const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';

/** An Asterisk prompt (e.g. `hello-world`) as 20 ms 8 kHz frames. */
export function asteriskPrompt(name: string): Int16Array[] {
  const wav = decodeWav(readFileSync(`${ASTERISK_SOUNDS}/${name}.wav`));
  if (wav.sampleRateHz !== TELEPHONY_RATE_HZ) throw new Error(`${name}.wav is ${wav.sampleRateHz} Hz`);
  return toFrames(wav.samples);
}

/** Speech made by flite (`slt`), resampled to 8 kHz, as 20 ms frames. */
export function fliteSpeech(text: string, voice = 'slt'): Int16Array[] {
  const file = join(tmpdir(), `tp-fixture-${randomUUID()}.wav`);
  const res = spawnSync('flite', ['-voice', voice, '-t', ` ${text}`, '-o', file]);
  if (res.status !== 0) throw new Error(`flite failed: ${res.stderr.toString()}`);
  const wav = decodeWav(readFileSync(file));
  rmSync(file, { force: true });
  return toFrames(resample(wav.samples, wav.sampleRateHz, TELEPHONY_RATE_HZ));
}

export function silenceFrames(ms: number): Int16Array[] {
  return Array.from({ length: Math.ceil(ms / FRAME_MS) }, () => new Int16Array(FRAME_SAMPLES));
}

/** Low-level background noise (about -60 dBFS), like a quiet line. */
export function comfortNoiseFrames(ms: number, seed = 1): Int16Array[] {
  let x = seed;
  return Array.from({ length: Math.ceil(ms / FRAME_MS) }, () => {
    const f = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      f[i] = ((x >> 16) % 60) - 30;
    }
    return f;
  });
}
