import { FRAME_MS } from '../../../audio/frame';
import { asteriskPrompt, comfortNoiseFrames } from '../../../voice/testing/speech-fixtures';
import type { AnsweredBy } from '../answering-machine-detector';

/**
 * A labelled set of call answers built from REAL recordings: Debian's asterisk-core-sounds-en-wav
 * (Allison, 8 kHz human speech) and its real `beep.wav` (a 700 Hz voicemail tone), on a quiet line
 * (comfort noise). Humans say a word or two and wait; machines play a greeting, then beep.
 */
export interface LabelledAnswer {
  name: string;
  label: Exclude<AnsweredBy, 'unknown'>;
  frames: Int16Array[];
  /** Where the callee's speech ends (its last loud frame, the beep excluded): ms from the answer. */
  speechEndMs: number;
}

type Part = { prompt: string; gain?: number } | { gapMs: number };

function build(name: string, label: LabelledAnswer['label'], leadMs: number, parts: Part[], seed: number) {
  const frames: Int16Array[] = [...comfortNoiseFrames(leadMs, seed)];
  let speechEndMs = leadMs;
  for (const p of parts) {
    if ('gapMs' in p) frames.push(...comfortNoiseFrames(p.gapMs, seed + frames.length));
    else {
      const gain = p.gain ?? 1;
      for (const f of asteriskPrompt(p.prompt)) {
        frames.push(gain === 1 ? f : f.map((s) => Math.round(s * gain)));
        if (p.prompt !== 'beep' && peak(f) > 1000) speechEndMs = frames.length * FRAME_MS;
      }
    }
  }
  frames.push(...comfortNoiseFrames(4000, seed + 7));
  return { name, label, frames, speechEndMs };
}

/** Loudest sample of the unscaled frame: the prompt's own silence stays far below 1000. */
const peak = (f: Int16Array): number => f.reduce((m, s) => Math.max(m, Math.abs(s)), 0);

const digits = (s: string): Part[] => [...s].flatMap((d) => [{ prompt: `digits/${d}` }, { gapMs: 120 }]);

/** 36 answers: 18 humans, 18 machines. */
export function labelledAnswers(): LabelledAnswer[] {
  const out: LabelledAnswer[] = [];
  let seed = 1;
  for (const lead of [200, 500, 900]) {
    out.push(build(`hello (${lead} ms)`, 'human', lead, [{ prompt: 'hello' }], seed++));
    out.push(build(`hello world (${lead} ms)`, 'human', lead, [{ prompt: 'hello-world' }], seed++));
    out.push(build(`quiet hello (${lead} ms)`, 'human', lead, [{ prompt: 'hello', gain: 0.25 }], seed++));
    out.push(
      build(
        `hello? … hello? (${lead} ms)`,
        'human',
        lead,
        [{ prompt: 'hello' }, { gapMs: 900 }, { prompt: 'hello' }],
        seed++,
      ),
    );
    out.push(build(`goodbye? (${lead} ms)`, 'human', lead, [{ prompt: 'goodbye' }], seed++));
    out.push(build(`I'm sorry? (${lead} ms)`, 'human', lead, [{ prompt: 'im-sorry' }], seed++));
  }
  const beep: Part = { prompt: 'beep' };
  for (const lead of [300, 700]) {
    const m = (name: string, parts: Part[]) => out.push(build(`${name} (${lead} ms)`, 'machine', lead, parts, seed++));
    m('nobody available + leave message after the tone', [
      { prompt: 'vm-nobodyavail' },
      { gapMs: 300 },
      { prompt: 'vm-intro' },
      { gapMs: 400 },
      beep,
    ]);
    m('the person at extension 201 is unavailable', [
      { prompt: 'vm-theperson' },
      ...digits('201'),
      { prompt: 'vm-isunavail' },
      { gapMs: 500 },
      beep,
    ]);
    m('hello, nobody is available', [
      { prompt: 'hello' },
      { gapMs: 150 },
      { prompt: 'vm-nobodyavail' },
      { gapMs: 400 },
      beep,
    ]);
    m('hello world, leave a message', [{ prompt: 'hello-world' }, { gapMs: 200 }, { prompt: 'vm-intro' }, beep]);
    m('5551234 is unavailable', [...digits('5551234'), { prompt: 'vm-isunavail' }, { gapMs: 300 }, beep]);
    m('is on the phone', [{ prompt: 'vm-isonphone' }, { gapMs: 200 }, { prompt: 'vm-intro' }, beep]);
    m('number not answering', [{ prompt: 'number-not-answering' }, { gapMs: 400 }, beep]);
    m('leave your message after the tone', [{ prompt: 'vm-intro' }, { gapMs: 300 }, beep]);
    m('beep only', [{ gapMs: 800 }, beep]);
  }
  return out;
}
