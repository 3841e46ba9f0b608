/**
 * Answering-machine detection (src/calls/voicemail/) on the labelled set of real recordings
 * (Allison prompts + Debian's beep.wav, calls/voicemail/testing/answer-recordings.ts): accuracy
 * with its confusion matrix, and decision times — humans from the answer and from the end of their
 * word (what the caller waits for the agent), machines relative to the end of the greeting
 * (negative = decided while the greeting still played). Targets (issue 12): ≥ 95 % correct,
 * humans within 1.5 s, machines within 1 s after the greeting ends.
 */
import { AnsweringMachineDetector, type AnsweredBy } from '../src/calls/voicemail/answering-machine-detector';
import { labelledAnswers } from '../src/calls/voicemail/testing/answer-recordings';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function run(): Promise<void> {
  const answers = labelledAnswers();
  const matrix: Record<string, Record<AnsweredBy | 'none', number>> = {};
  const humanFromAnswer: number[] = [];
  const humanFromSpeechEnd: number[] = [];
  const machineFromGreetingEnd: number[] = [];
  let correct = 0;
  let cpuMs = 0;
  let frames = 0;
  for (const a of answers) {
    const d = new AnsweringMachineDetector();
    const t = performance.now();
    for (const f of a.frames) {
      frames++;
      if (d.push(f)) break;
    }
    cpuMs += performance.now() - t;
    const got = d.decision?.answeredBy ?? 'none';
    (matrix[a.label] ??= { human: 0, machine: 0, unknown: 0, none: 0 })[got]++;
    if (got === a.label) correct++;
    const ms = d.decision?.decisionMs ?? NaN;
    if (a.label === 'human') {
      humanFromAnswer.push(ms);
      humanFromSpeechEnd.push(ms - a.speechEndMs);
    } else machineFromGreetingEnd.push(ms - a.speechEndMs);
  }
  console.log(
    `labelled answers: ${answers.length} (${matrix.human ? Object.values(matrix.human).reduce((x, y) => x + y) : 0} human)`,
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
  console.log(`humans, answer → decision:            ${fmt(humanFromAnswer)} (target ≤ 1500 ms)`);
  console.log(`humans, end of their word → decision: ${fmt(humanFromSpeechEnd)}`);
  console.log(`machines, greeting end → decision:    ${fmt(machineFromGreetingEnd)} (target ≤ 1000 ms)`);
  console.log(`CPU: ${((1000 * cpuMs) / frames).toFixed(1)} µs per 20 ms frame`);
}
