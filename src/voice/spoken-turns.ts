import type { Frame } from './pipeline/frames';
import type { TranscriptTurn } from './session-events';
import type { ConversationLog } from './turn/conversation-log';
import type { OutputPacer } from './turn/output-pacer';
import { SpokenTurn } from './turn/spoken-turn';

/**
 * Every assistant turn of the session (LLM rounds, acknowledgements, fixed lines) by round id:
 * routes the output pipeline's frames to the pacer, cuts turns at a barge-in, and yields the
 * assistant entries of the transcript as actually played.
 */
export class SpokenTurns {
  readonly #turns = new Map<number, SpokenTurn>();
  readonly #nextSeq: () => number;
  #roundSeq = 0;

  /** `nextSeq` hands out the creation order shared with the other transcript entries. */
  constructor(nextSeq: () => number) {
    this.#nextSeq = nextSeq;
  }

  /** Opens a new round; `seq` places it in the transcript (default: now). */
  newRound(seq?: number): number {
    const id = ++this.#roundSeq;
    this.#turns.set(id, new SpokenTurn(id, seq ?? this.#nextSeq()));
    return id;
  }

  get(roundId: number): SpokenTurn | undefined {
    return this.#turns.get(roundId);
  }

  /** True for the first audio frame of a sentence of an open turn. */
  startsSentenceAudio(f: Extract<Frame, { type: 'audio' }>): boolean {
    const turn = this.#turns.get(f.responseId);
    return turn !== undefined && !turn.closed && (turn.sentences[f.index]?.frames ?? 0) === 0;
  }

  /** An output pipeline frame: sentence text, synthesized audio (to the pacer) or a sentence end. */
  onOutput(f: Frame, pacer: OutputPacer): void {
    const turn = 'responseId' in f ? this.#turns.get(f.responseId) : undefined;
    if (!turn || turn.closed) return;
    if (f.type === 'sentence') turn.sentence(f.index, f.text);
    else if (f.type === 'audio') {
      turn.sentence(f.index).frames += 1;
      pacer.enqueue(f.pcm, turn, f.index);
    } else if (f.type === 'sentence_end') turn.sentence(f.index).complete = true;
  }

  /** Barge-in: closes every open turn and cuts its LLM history entry to what the caller heard. */
  closeAll(log: ConversationLog): void {
    for (const turn of this.#turns.values()) {
      if (turn.closed) continue;
      turn.closed = true;
      if (turn.sentences.length === 0 || !turn.fullyPlayed) log.truncate(turn.id, turn.spokenText());
    }
  }

  /** Assistant transcript entries (with their creation order), cut to what was played. */
  transcriptEntries(): { seq: number; turn: TranscriptTurn }[] {
    const entries: { seq: number; turn: TranscriptTurn }[] = [];
    for (const turn of this.#turns.values()) {
      const text = turn.spokenText();
      if (text === '' || turn.startMs === undefined) continue;
      const turnOut: TranscriptTurn = {
        role: 'assistant',
        content_type: 'text/plain',
        content: text,
        start_ms: Math.round(turn.startMs),
        end_ms: Math.round(turn.endMs ?? turn.startMs),
      };
      entries.push({ seq: turn.seq, turn: turnOut });
    }
    return entries;
  }
}
