import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWavHeader } from '../../../src/audio/wav';

/** The caller's side of a sipp call (flite speech and silences) and what a call recording says was voiced. */
export type Piece = { say: string } | { silenceS: number };

/** The caller's side as headerless µ-law: flite speech and silences in sequence. */
export function callerUlaw(dir: string, name: string, pieces: Piece[]): string {
  const parts = pieces.map((p, i) => {
    if ('silenceS' in p) return Buffer.alloc(Math.round(p.silenceS * 8000), 0xff);
    const wav = join(dir, `${name}-${i}.wav`);
    const ul = join(dir, `${name}-${i}.ulaw`);
    const f = spawnSync('flite', ['-voice', 'slt', '-t', ` ${p.say}`, '-o', wav]);
    if (f.status !== 0) throw new Error(`flite failed: ${f.stderr.toString()}`);
    const s = spawnSync('sox', [wav, '-r', '8000', '-c', '1', '-t', 'ul', ul]);
    if (s.status !== 0) throw new Error(`sox failed: ${s.stderr.toString()}`);
    return readFileSync(ul);
  });
  const out = join(dir, `${name}.ulaw`);
  writeFileSync(out, Buffer.concat(parts));
  return out;
}

/** Per 20 ms frame of the recording: is the channel (0 far end, 1 agent) voiced? */
export function voicedFrames(path: string, channel: 0 | 1): boolean[] {
  const wav = readFileSync(path);
  const h = parseWavHeader(wav)!;
  const frames: boolean[] = [];
  const samplesPerFrame = 160;
  const total = Math.floor((wav.length - h.dataOffset) / 4);
  for (let start = 0; start + samplesPerFrame <= total; start += samplesPerFrame) {
    let e = 0;
    for (let i = start; i < start + samplesPerFrame; i++) {
      const v = wav.readInt16LE(h.dataOffset + i * 4 + channel * 2);
      e += v * v;
    }
    frames.push(Math.sqrt(e / samplesPerFrame) > 300);
  }
  return frames;
}

/** Index of the first frame of the first voiced run of at least `minFrames` from `from` on. */
export function firstRun(v: boolean[], from: number, minFrames = 3): number {
  for (let i = from; i < v.length; i++) if (v.slice(i, i + minFrames).every(Boolean)) return i;
  return -1;
}
