import type { Call } from '../../api/types';
import { formatMs, humanize } from '../../ui/format';

const known = (ms: number | null | undefined): ms is number => ms !== null && ms !== undefined;

/**
 * The call page's "Answered by" fact: who answered, when it was decided, and when a provisional
 * guess of a person let the agent speak (with a machine: the machine heard the agent begin).
 * Null when detection did not run.
 */
export function answeredByLabel(
  call: Pick<Call, 'answered_by' | 'answered_by_decision_ms' | 'answered_by_guess_ms'>,
): string | null {
  if (!call.answered_by) return null;
  const notes: string[] = [];
  if (known(call.answered_by_decision_ms)) notes.push(`decided in ${formatMs(call.answered_by_decision_ms)}`);
  if (known(call.answered_by_guess_ms))
    notes.push(
      call.answered_by === 'machine'
        ? `the agent began at ${formatMs(call.answered_by_guess_ms)} on a guess of a person, so the machine heard it`
        : `the agent spoke at ${formatMs(call.answered_by_guess_ms)} on a guess of a person`,
    );
  const who = humanize(call.answered_by);
  return notes.length > 0 ? `${who} (${notes.join('; ')})` : who;
}
