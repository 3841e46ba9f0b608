/**
 * Answering-machine detection (src/calls/voicemail/) on the labelled set of real speech
 * (calls/voicemail/testing/answer-recordings.ts: Allison prompts, flite and espeak-ng voices,
 * Debian's beep.wav, varied leading silence, level and background noise, over G.711): accuracy
 * with its confusion matrix, and decision times — humans from the answer and from the end of their
 * speech (what the caller waits for the agent), machines relative to the end of the greeting
 * (negative = decided while the greeting still played). Twice: on the audio alone, and with a
 * streaming speech-to-text's interim transcripts (simulated: one per word, STT_LATENCY_MS late).
 * Humans: when the agent is let speak (the detector's provisional guess of a person, or the decision)
 * and when the guess was confirmed; machines the agent began talking to on a guess later withdrawn.
 * Targets (issue 12): ≥ 95 % correct, humans within 1.5 s, machines within 1 s after the greeting ends.
 * `npm run bench -- voicemail -- --list` prints every answer's decision.
 */
import {
  AnsweringMachineDetector,
  type AmdDecision,
  type AnsweredBy,
} from '../src/calls/voicemail/answering-machine-detector';
import {
  labelledAnswers,
  simulatedTranscripts,
  type LabelledAnswer,
} from '../src/calls/voicemail/testing/answer-recordings';
import { FRAME_MS } from '../src/audio/frame';

const STT_LATENCY_MS = 300;
/** VOICEMAIL_HOLD_GREETING_MS's default: a machine decided later hears the agent start. */
const HOLD_GREETING_MS = 4000;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

function decide(
  a: LabelledAnswer,
  withTranscripts: boolean,
): { d: AmdDecision | undefined; guessMs: number | undefined; withdrawn: number; cpuMs: number; frames: number } {
  const amd = new AnsweringMachineDetector();
  const texts = withTranscripts ? simulatedTranscripts(a, STT_LATENCY_MS) : [];
  const t = performance.now();
  let frames = 0;
  let guessMs: number | undefined;
  for (const f of a.frames) {
    frames++;
    if (amd.push(f)) break;
    guessMs ??= amd.provisional?.decisionMs;
    const nowMs = frames * FRAME_MS;
    while (texts[0] && texts[0].atMs <= nowMs) amd.pushTranscript(texts.shift()?.text ?? '');
    if (amd.decision) break;
  }
  return { d: amd.decision, guessMs, withdrawn: amd.withdrawnGuesses, cpuMs: performance.now() - t, frames };
}

function report(title: string, answers: LabelledAnswer[], withTranscripts: boolean, list: boolean): void {
  const matrix: Record<string, Record<AnsweredBy | 'none', number>> = {};
  /** Answer → the agent speaks: a provisional guess of a person, or the decision. */
  const humanFromAnswer: number[] = [];
  /** Answer → the final decision (a guess confirmed by the rule's full silence). */
  const humanConfirmed: number[] = [];
  /** Machines the agent started talking to on a withdrawn guess, and for how long before the decision. */
  const machineGuessedMs: number[] = [];
  let humanWithdrawn = 0;
  const humanFromSpeechEnd: number[] = [];
  /** Answer → the end of a person's first spoken stretch: what any rule that lets them finish waits for. */
  const humanFirstWordsEnd: number[] = [];
  const machineFromGreetingEnd: number[] = [];
  const machineFromAnswer: number[] = [];
  let correct = 0;
  let cpuMs = 0;
  let frames = 0;
  for (const a of answers) {
    const r = decide(a, withTranscripts);
    cpuMs += r.cpuMs;
    frames += r.frames;
    const got = r.d?.answeredBy ?? 'none';
    (matrix[a.label] ??= { human: 0, machine: 0, unknown: 0, none: 0 })[got]++;
    if (got === a.label) correct++;
    const ms = r.d?.decisionMs ?? NaN;
    const finalMs = r.d?.confirmedMs ?? ms;
    if (a.label === 'human') {
      const speaksMs = Math.min(ms, r.guessMs ?? Infinity, HOLD_GREETING_MS);
      humanFromAnswer.push(speaksMs);
      humanConfirmed.push(finalMs);
      humanFromSpeechEnd.push(speaksMs - a.speechEndMs);
      if (r.withdrawn > 0) humanWithdrawn++;
      humanFirstWordsEnd.push(Math.round(a.segments[0]?.endMs ?? a.speechEndMs));
    } else {
      machineFromGreetingEnd.push(ms - a.speechEndMs);
      machineFromAnswer.push(ms);
      if (r.guessMs !== undefined && r.guessMs < ms) machineGuessedMs.push(ms - r.guessMs);
    }
    if (list)
      console.log(
        `  ${got === a.label ? '  ' : '✗ '}${a.label.padEnd(8)}→ ${got.padEnd(8)} ${(r.d?.reason ?? '').padEnd(28)} ` +
          `${String(ms).padStart(5)} ms${r.guessMs !== undefined ? ` (guess ${r.guessMs}${r.withdrawn ? ', withdrawn' : ''})` : ''} ` +
          `(speech ends ${String(a.speechEndMs).padStart(5)})  ${a.name}`,
      );
  }
  const humans = answers.filter((a) => a.label === 'human').length;
  const speakers = new Set(answers.flatMap((a) => a.speaker.split(' + ')));
  console.log(`\n-- ${title}`);
  console.log(
    `labelled answers: ${answers.length} (${humans} human), ${speakers.size} voices: ${[...speakers].join(', ')}`,
  );
  console.log(
    `accuracy: ${((100 * correct) / answers.length).toFixed(1)} % (${correct}/${answers.length}; target ≥ 95 %)`,
  );
  console.log('confusion matrix (rows: truth, columns: decision)');
  console.log(`  ${'truth'.padEnd(8)} ${['human', 'machine', 'unknown'].map((c) => c.padStart(8)).join('')}`);
  for (const [truth, row] of Object.entries(matrix))
    console.log(
      `  ${truth.padEnd(8)} ${[row.human, row.machine, row.unknown].map((n) => String(n).padStart(8)).join('')}`,
    );
  const fmt = (xs: number[]) => `p50 ${pct(xs, 50)} ms, p90 ${pct(xs, 90)} ms, max ${Math.max(...xs)} ms`;
  console.log(`humans, answer → agent speaks (decided): ${fmt(humanFromAnswer)} (target ≤ 1500 ms)`);
  console.log(`humans, end of their speech → agent:    ${fmt(humanFromSpeechEnd)}`);
  console.log(
    `humans, answer → guess confirmed:       ${fmt(humanConfirmed)} (${humanWithdrawn} people went on talking after the guess: it was withdrawn, the agent had started)`,
  );
  const within = humanFromAnswer.filter((ms) => ms <= 1500).length;
  console.log(
    `humans, answer → end of their first words: ${fmt(humanFirstWordsEnd)} (the callers' own speech; ` +
      `${within}/${humanFromAnswer.length} decided within 1500 ms of answer)`,
  );
  // Whoever stops talking by 1300 ms leaves room for the guess's 200 ms of silence inside 1.5 s.
  const couldBe = humanFirstWordsEnd
    .map((end, i) => ({ end, speaks: humanFromAnswer[i]! }))
    .filter((h) => h.end <= 1300);
  const talkOn = humanFirstWordsEnd
    .map((end, i) => humanFromAnswer[i]! - end)
    .filter((_, i) => humanFirstWordsEnd[i]! > 1300);
  console.log(
    `humans done speaking by 1300 ms: ${couldBe.filter((h) => h.speaks <= 1500).length}/${couldBe.length} decided within 1500 ms of answer; ` +
      `the ${talkOn.length} still talking then: agent ${talkOn.length ? fmt(talkOn) : '-'} after their first words`,
  );
  console.log(`machines, greeting end → decision:      ${fmt(machineFromGreetingEnd)} (target ≤ 1000 ms)`);
  console.log(
    `machines the agent began talking to on a withdrawn guess: ${machineGuessedMs.length}/${answers.length - humans}` +
      (machineGuessedMs.length ? ` (for ${fmt(machineGuessedMs)} before the machine decision)` : ''),
  );
  const late = machineFromAnswer.filter((ms) => !(ms <= HOLD_GREETING_MS)).length;
  console.log(
    `machines, answer → decision:            ${fmt(machineFromAnswer)} (${late} after the agent's greeting hold, VOICEMAIL_HOLD_GREETING_MS ${HOLD_GREETING_MS})`,
  );
  console.log(`CPU: ${((1000 * cpuMs) / frames).toFixed(1)} µs per 20 ms frame`);
}

export async function run(): Promise<void> {
  const list = process.argv.includes('--list');
  const answers = labelledAnswers();
  report('audio only', answers, false, list);
  report(
    `audio + streaming speech-to-text (simulated interims, one per word, ${STT_LATENCY_MS} ms late)`,
    answers,
    true,
    list,
  );
}
