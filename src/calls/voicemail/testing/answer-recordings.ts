import { FRAME_SAMPLES, SAMPLES_PER_MS } from '../../../audio/frame';
import { toFrames } from '../../../audio/frame-chunker';
import type { AnsweredBy } from '../answering-machine-detector';
import {
  activeLevelDbfs,
  atLevel,
  beepSamples,
  noise,
  overTheLine,
  speak,
  voiceOf,
  wordsOf,
  type NoiseKind,
  type Speaker,
} from './answer-voices';

/**
 * A labelled set of call answers built from REAL speech: Debian's Allison prompts (a recorded
 * woman, asterisk-core-sounds-en-wav), flite's and espeak-ng's voices, and Debian's real
 * `beep.wav`. Humans say a word or a short sentence and wait for an answer (some say "hello?"
 * twice); machines play a greeting — personal, business or carrier — mostly ending in the beep.
 * Leading silence, speech level and background noise vary; everything passes G.711 µ-law as on
 * a call. Deterministic (seeded noise, cached synthesis), so the test and the bench share it.
 */
export interface LabelledAnswer {
  name: string;
  label: Exclude<AnsweredBy, 'unknown'>;
  /** The voices that speak ("allison", "flite/kal", "espeak/en-gb"). */
  speaker: string;
  frames: Int16Array[];
  /** Where the callee's speech ends (its last speech frame, the beep excluded): ms from the answer. */
  speechEndMs: number;
  /** Each spoken stretch with its words: what a streaming speech-to-text would transcribe. */
  segments: { text: string; startMs: number; endMs: number }[];
}

type Part = { say: Speaker; gainDb?: number } | { gapMs: number } | 'beep';

interface Spec {
  name: string;
  label: LabelledAnswer['label'];
  leadMs: number;
  parts: Part[];
  /** Active speech level, dBFS (default −20: a normal phone line). */
  levelDbfs?: number;
  /** Background noise under everything (default: a quiet line, hiss at −66 dBFS). */
  noise?: { kind: NoiseKind; dbfs: number };
}

const TAIL_MS = 4000;

function build(spec: Spec, seed: number): LabelledAnswer {
  const chunks: Int16Array[] = [new Int16Array(spec.leadMs * SAMPLES_PER_MS)];
  const segments: LabelledAnswer['segments'] = [];
  const voices = new Set<string>();
  let at = spec.leadMs * SAMPLES_PER_MS;
  for (const p of spec.parts) {
    let x: Int16Array;
    if (p === 'beep') x = beepSamples();
    else if ('gapMs' in p) x = new Int16Array(p.gapMs * SAMPLES_PER_MS);
    else {
      // A speech engine's own leading and trailing silence is cut (40 ms kept), so gaps are the pauses
      // heard; Allison's recorded prompts keep theirs (the pauses of a greeting recorded in pieces).
      const spoken = speak(p.say);
      const [from, to] = speechSpan(spoken);
      const margin = 'allison' in p.say ? spoken.length : 40 * SAMPLES_PER_MS;
      const cut = spoken.subarray(Math.max(0, from - margin), Math.min(spoken.length, to + margin));
      x = atLevel(cut, (spec.levelDbfs ?? -20) + (p.gainDb ?? 0));
      voices.add(voiceOf(p.say));
      const head = Math.min(from, margin);
      segments.push({
        text: wordsOf(p.say),
        startMs: (at + head) / SAMPLES_PER_MS,
        endMs: (at + head + to - from) / SAMPLES_PER_MS,
      });
    }
    chunks.push(x);
    at += x.length;
  }
  chunks.push(new Int16Array(TAIL_MS * SAMPLES_PER_MS));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const line = noise(total, spec.noise?.kind ?? 'hiss', spec.noise?.dbfs ?? -66, seed);
  let o = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++, o++) line[o] = (line[o] ?? 0) + (c[i] ?? 0);
  const pcm = Int16Array.from(line, (v) => Math.max(-32768, Math.min(32767, Math.round(v))));
  return {
    name: spec.name,
    label: spec.label,
    speaker: [...voices].join(' + ') || 'beep',
    frames: toFrames(overTheLine(pcm)),
    speechEndMs: Math.round(segments.at(-1)?.endMs ?? spec.leadMs),
    segments,
  };
}

/** First and last sample of the frames within 30 dB of the clip's speech level. */
function speechSpan(x: Int16Array): [number, number] {
  const floor = activeLevelDbfs(x) - 30;
  let first = -1;
  let last = -1;
  for (let i = 0; i + FRAME_SAMPLES <= x.length; i += FRAME_SAMPLES) {
    if (activeLevelDbfs(x.subarray(i, i + FRAME_SAMPLES)) < floor) continue;
    if (first < 0) first = i;
    last = i + FRAME_SAMPLES;
  }
  return first < 0 ? [0, 0] : [first, last];
}

const allison = (prompt: string, gainDb?: number): Part => ({
  say: { allison: prompt },
  ...(gainDb ? { gainDb } : {}),
});
const flite = (voice: 'kal' | 'slt' | 'rms' | 'awb', text: string): Part => ({ say: { flite: voice, text } });
const espeak = (voice: string, text: string, wpm?: number): Part => ({
  say: { espeak: voice, text, ...(wpm ? { wpm } : {}) },
});
const gap = (gapMs: number): Part => ({ gapMs });
const digits = (s: string): Part[] => [...s].flatMap((d) => [allison(`digits/${d}`), gap(120)]);

const HUMANS: Omit<Spec, 'label'>[] = [
  ...[200, 500, 800].map((leadMs) => ({ name: `hello (${leadMs} ms)`, leadMs, parts: [allison('hello')] })),
  { name: 'hello world (300 ms)', leadMs: 300, parts: [allison('hello-world')] },
  { name: 'quiet hello (400 ms)', leadMs: 400, parts: [allison('hello', -14)] },
  { name: 'hello? … hello? (300 ms)', leadMs: 300, parts: [allison('hello'), gap(900), allison('hello')] },
  { name: "I'm sorry? (400 ms)", leadMs: 400, parts: [allison('im-sorry')] },
  { name: 'kal: hello? (300 ms)', leadMs: 300, parts: [flite('kal', 'Hello?')] },
  {
    name: 'slt: hello? on a hissing line (600 ms)',
    leadMs: 600,
    parts: [flite('slt', 'Hello?')],
    noise: { kind: 'hiss', dbfs: -45 },
  },
  { name: 'rms: hi, this is Sam (400 ms)', leadMs: 400, parts: [flite('rms', 'Hi, this is Sam.')] },
  { name: 'awb: hello, who is this? (300 ms)', leadMs: 300, parts: [flite('awb', 'Hello, who is this?')] },
  {
    name: 'slt: yeah, hello? in a car (500 ms)',
    leadMs: 500,
    parts: [flite('slt', 'Yeah, hello?')],
    noise: { kind: 'rumble', dbfs: -38 },
  },
  {
    name: 'kal: hello? … hello? (400 ms)',
    leadMs: 400,
    parts: [flite('kal', 'Hello?'), gap(1100), flite('kal', 'Hello?')],
  },
  {
    name: "rms: hello, Sam speaking, who's calling? (350 ms)",
    leadMs: 350,
    parts: [flite('rms', "Hello, Sam speaking, who's calling?")],
  },
  { name: 'en-us: hello? (250 ms)', leadMs: 250, parts: [espeak('en-us', 'Hello?')] },
  { name: "en-gb: hello, who's calling? (450 ms)", leadMs: 450, parts: [espeak('en-gb', "Hello, who's calling?")] },
  { name: 'en-us+f3: hi, this is Sam (300 ms)', leadMs: 300, parts: [espeak('en-us+f3', 'Hi, this is Sam.')] },
  {
    name: 'en-gb-x-rp: good morning, Sam speaking (400 ms)',
    leadMs: 400,
    parts: [espeak('en-gb-x-rp', 'Good morning, Sam speaking.')],
  },
  { name: 'en-us+m3: yes? (500 ms)', leadMs: 500, parts: [espeak('en-us+m3', 'Yes?')], levelDbfs: -26 },
  {
    name: 'en-gb-scotland: hello? on a hissing line (700 ms)',
    leadMs: 700,
    parts: [espeak('en-gb-scotland', 'Hello?')],
    noise: { kind: 'hiss', dbfs: -42 },
  },
  {
    name: 'en-us+f2: hello? … hello, anyone there? (300 ms)',
    leadMs: 300,
    parts: [espeak('en-us+f2', 'Hello?'), gap(1200), espeak('en-us+f2', 'Hello, anyone there?')],
  },
  { name: 'en-029: hello, Sam here (300 ms)', leadMs: 300, parts: [espeak('en-029', 'Hello, Sam here.')] },
  {
    name: 'en-us+m2: hello? in a busy room (450 ms)',
    leadMs: 450,
    parts: [espeak('en-us+m2', 'Hello?')],
    noise: { kind: 'rumble', dbfs: -34 },
  },
];

const beep: Part = 'beep';
const MACHINES: Omit<Spec, 'label'>[] = [
  ...[300, 700].flatMap((leadMs) => [
    {
      name: `nobody available + leave message after the tone (${leadMs} ms)`,
      leadMs,
      parts: [allison('vm-nobodyavail'), gap(300), allison('vm-intro'), gap(400), beep],
    },
    {
      name: `hello, nobody is available (${leadMs} ms)`,
      leadMs,
      parts: [allison('hello'), gap(150), allison('vm-nobodyavail'), gap(400), beep],
    },
  ]),
  {
    name: 'the person at extension 201 is unavailable (300 ms)',
    leadMs: 300,
    parts: [allison('vm-theperson'), ...digits('201'), allison('vm-isunavail'), gap(500), beep],
  },
  {
    name: 'hello world, leave a message (300 ms)',
    leadMs: 300,
    parts: [allison('hello-world'), gap(200), allison('vm-intro'), beep],
  },
  {
    name: '5551234 is unavailable (700 ms)',
    leadMs: 700,
    parts: [...digits('5551234'), allison('vm-isunavail'), gap(300), beep],
  },
  {
    name: 'is on the phone (300 ms)',
    leadMs: 300,
    parts: [allison('vm-isonphone'), gap(200), allison('vm-intro'), beep],
  },
  { name: 'number not answering (700 ms)', leadMs: 700, parts: [allison('number-not-answering'), gap(400), beep] },
  { name: 'leave your message after the tone (300 ms)', leadMs: 300, parts: [allison('vm-intro'), gap(300), beep] },
  { name: 'leave a message (500 ms)', leadMs: 500, parts: [allison('vm-leavemsg'), gap(300), beep] },
  { name: 'beep only (300 ms)', leadMs: 300, parts: [gap(800), beep] },
  {
    name: "slt: hi, you've reached Sam … after the tone (400 ms)",
    leadMs: 400,
    parts: [
      flite(
        'slt',
        "Hi, you've reached Sam. I can't come to the phone right now. Please leave a message after the tone.",
      ),
      gap(300),
      beep,
    ],
  },
  {
    name: 'kal: you have reached 555 0123 (700 ms)',
    leadMs: 700,
    parts: [
      flite('kal', 'You have reached five five five, zero one two three. Please leave a message.'),
      gap(500),
      beep,
    ],
  },
  {
    name: "rms: hey, it's Alex, leave a message (300 ms)",
    leadMs: 300,
    parts: [flite('rms', "Hey, it's Alex. Leave a message."), gap(300), beep],
  },
  {
    name: 'awb: the person you are calling is not available, hissing (500 ms)',
    leadMs: 500,
    parts: [
      flite('awb', 'The person you are calling is not available. Please leave a message after the tone.'),
      gap(400),
      beep,
    ],
    noise: { kind: 'hiss', dbfs: -45 },
  },
  {
    name: "slt: hello. … you've reached the Millers (300 ms)",
    leadMs: 300,
    parts: [
      flite('slt', 'Hello.'),
      gap(450),
      flite('slt', "You've reached the Miller family. We can't come to the phone, so leave us a message."),
      gap(300),
      beep,
    ],
  },
  {
    name: 'en-us: carrier, not in service (600 ms)',
    leadMs: 600,
    parts: [espeak('en-us', 'The number you have dialed is not in service. Please check the number and try again.')],
  },
  {
    name: "en-gb: hello, you've reached the Smiths (400 ms)",
    leadMs: 400,
    parts: [
      espeak(
        'en-gb',
        "Hello, you've reached the Smith family. We're not home right now, please leave a message after the beep.",
      ),
      gap(400),
      beep,
    ],
  },
  {
    name: 'en-us+f2: hi! … this is Jessica (300 ms)',
    leadMs: 300,
    parts: [
      espeak('en-us+f2', 'Hi!'),
      gap(400),
      espeak('en-us+f2', "This is Jessica. Sorry I missed you, leave me a message and I'll call you back."),
      gap(300),
      beep,
    ],
  },
  {
    name: 'en-gb-x-rp: office closed, in a noisy room (1000 ms)',
    leadMs: 1000,
    parts: [
      espeak(
        'en-gb-x-rp',
        'Thank you for calling Acme Dental. Our office is currently closed. Please leave a message.',
      ),
      gap(500),
      beep,
    ],
    noise: { kind: 'rumble', dbfs: -40 },
  },
  {
    name: 'en-us+m3: the voicemail of Jordan Lee (500 ms)',
    leadMs: 500,
    parts: [
      espeak('en-us+m3', 'You have reached the voicemail of'),
      gap(250),
      espeak('en-us+m3', 'Jordan Lee.'),
      gap(300),
      espeak('en-us+m3', 'Please record your message after the tone.'),
      gap(300),
      beep,
    ],
  },
  {
    name: "en-029: sorry, I can't take your call, quiet (350 ms)",
    leadMs: 350,
    parts: [espeak('en-029', "Sorry, I can't take your call right now. Leave a message."), gap(400), beep],
    levelDbfs: -30,
  },
  {
    name: 'en-us+f3: carrier, subscriber not available (1200 ms)',
    leadMs: 1200,
    parts: [espeak('en-us+f3', 'The subscriber you have dialed is not available. Please try again later.')],
  },
];

let cached: LabelledAnswer[] | undefined;

/** The labelled answers (built once per process): humans first, then machines. */
export function labelledAnswers(): LabelledAnswer[] {
  let seed = 1;
  cached ??= [
    ...HUMANS.map((s) => build({ ...s, label: 'human' }, seed++)),
    ...MACHINES.map((s) => build({ ...s, label: 'machine' }, seed++)),
  ];
  return cached;
}

/**
 * What a streaming speech-to-text would send for `answer`: one interim per word, the words so far
 * (earlier segments included), `latencyMs` after the word's audio (words spread evenly over their
 * segment). Tests and the bench push them into the detector at `atMs`.
 */
export function simulatedTranscripts(answer: LabelledAnswer, latencyMs: number): { atMs: number; text: string }[] {
  const out: { atMs: number; text: string }[] = [];
  const said: string[] = [];
  for (const seg of answer.segments) {
    const words = seg.text.split(/\s+/).filter((w) => w !== '');
    words.forEach((w, i) => {
      said.push(w);
      const heardMs = seg.startMs + ((seg.endMs - seg.startMs) * (i + 1)) / words.length;
      out.push({ atMs: Math.round(heardMs + latencyMs), text: said.join(' ') });
    });
  }
  return out;
}
