/**
 * What one assistant turn (one LLM round, an acknowledgement or a fixed line) really said:
 * sentences with the number of 20 ms frames synthesized and actually played. After a barge-in the
 * turn's text is cut to the audio the caller heard.
 */
export class SpokenTurn {
  readonly sentences: { text: string; frames: number; played: number; complete: boolean }[] = [];
  /** Session ms of the first frame sent to the caller. */
  startMs: number | undefined;
  /** Session ms at the end of the last frame played. */
  endMs: number | undefined;
  /** Cut by a barge-in: later audio of this turn is discarded. */
  closed = false;

  constructor(
    readonly id: number,
    /** Creation order among all transcript entries. */
    readonly seq: number,
  ) {}

  sentence(index: number, text?: string): { text: string; frames: number; played: number; complete: boolean } {
    let s = this.sentences[index];
    if (!s) {
      s = { text: text ?? '', frames: 0, played: 0, complete: false };
      this.sentences[index] = s;
    }
    return s;
  }

  /** The words the caller heard: whole sentences fully played, then the played share of the next. */
  spokenText(): string {
    const parts: string[] = [];
    for (const s of this.sentences) {
      if (s?.complete && s.frames === 0) continue; // synthesis failed: nothing was heard
      if (!s || s.played === 0) break;
      if (s.complete && s.played >= s.frames) {
        parts.push(s.text);
        continue;
      }
      const words = s.text.split(/\s+/);
      const total = Math.max(s.frames, 1);
      const n = Math.floor((words.length * s.played) / total);
      if (n > 0) parts.push(words.slice(0, n).join(' '));
      break;
    }
    return parts.join(' ');
  }

  /** Everything synthesized was played. */
  get fullyPlayed(): boolean {
    return this.sentences.every((s) => !s || (s.complete && s.played >= s.frames));
  }
}
