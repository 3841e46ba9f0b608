import { FRAME_MS } from '../../audio/frame';
import type { Clock } from '../../shared/clock';
import type { TimerHandle, Timers } from '../../shared/timers';
import { Pacer } from './pacer';

/** A session the ticker serves: `send` frame slots go out now, `skipped` slots were given up after a stall. */
export interface TickedSession {
  onMediaTick(send: number, skipped: number, nowMs: number): void;
}

export interface MediaTickerStats {
  sessions: number;
  ticks: number;
  /** How late the last ticks fired against their 20 ms slots (last 250 ticks = 5 s). */
  tickLagP50Ms: number;
  tickLagP99Ms: number;
  tickLagMaxMs: number;
  /** Slots given up after a stall (every session skips them together). */
  skippedSlots: number;
  /** How long the last ticks took to run every session (same window as the lag). */
  tickWorkP50Ms: number;
  tickWorkP99Ms: number;
  tickWorkMaxMs: number;
}

/**
 * Where the ticks fall: at the instants t (monotonic ms) with t + epochOffsetMs ≡ phaseMs (mod
 * frameMs). Media workers put their ticks at different phases of the same 20 ms grid (worker k of
 * n at k·20/n ms), so on a machine with few cores their bursts of sends do not queue behind each other.
 */
export interface MediaTickerAlignment {
  /** Added to the monotonic clock to get a time shared by all threads (performance.timeOrigin). */
  epochOffsetMs: number;
  phaseMs: number;
}

/** A tick may fire this much before its slot (timers fire on whole milliseconds). */
const EARLY_MS = 1;
const LAG_WINDOW = 250;

/**
 * One 20 ms clock for many RTP sessions, the way media servers pace calls: a single timer chain
 * (a Pacer against the monotonic clock, so late timers never drift) and, on every tick, each
 * session sends its frame. Runs only while it serves a session. Sessions added between ticks
 * send from the next tick on.
 */
export class MediaTicker {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #pacer: Pacer;
  readonly #sessions = new Set<TickedSession>();
  #timer: TimerHandle | undefined;
  #ticks = 0;
  #skipped = 0;
  readonly #lags = new Float64Array(LAG_WINDOW);
  readonly #work = new Float64Array(LAG_WINDOW);
  /** The sessions of the running tick (reused: a tick allocates nothing). */
  readonly #running: Array<TickedSession | undefined> = [];

  readonly #alignment: MediaTickerAlignment | undefined;

  constructor(o: { clock: Clock; timers: Timers; frameMs?: number; alignment?: MediaTickerAlignment }) {
    this.#clock = o.clock;
    this.#timers = o.timers;
    this.#pacer = new Pacer({ frameMs: o.frameMs ?? FRAME_MS, earlyToleranceMs: EARLY_MS });
    this.#alignment = o.alignment;
  }

  get size(): number {
    return this.#sessions.size;
  }

  add(session: TickedSession): void {
    this.#sessions.add(session);
    if (this.#pacer.running) return;
    this.#pacer.start(this.#firstSlotMs(this.#clock.monotonicMs()));
    this.#tick();
  }

  remove(session: TickedSession): void {
    this.#sessions.delete(session);
    if (this.#sessions.size > 0) return;
    this.#pacer.stop();
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  stats(): MediaTickerStats {
    const n = Math.min(this.#ticks, LAG_WINDOW);
    const lags = this.#lags.slice(0, n).sort();
    const work = this.#work.slice(0, n).sort();
    const at = (xs: Float64Array, p: number): number => (n === 0 ? 0 : xs[Math.min(n - 1, Math.floor(p * n))]!);
    return {
      sessions: this.#sessions.size,
      ticks: this.#ticks,
      tickLagP50Ms: at(lags, 0.5),
      tickLagP99Ms: at(lags, 0.99),
      tickLagMaxMs: at(lags, 1),
      skippedSlots: this.#skipped,
      tickWorkP50Ms: at(work, 0.5),
      tickWorkP99Ms: at(work, 0.99),
      tickWorkMaxMs: at(work, 1),
    };
  }

  /** Now, or with an alignment the next instant on its grid. */
  #firstSlotMs(nowMs: number): number {
    const a = this.#alignment;
    if (!a) return nowMs;
    const frame = this.#pacer.frameMs;
    const into = (((nowMs + a.epochOffsetMs - a.phaseMs) % frame) + frame) % frame;
    return into === 0 ? nowMs : nowMs + frame - into;
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#pacer.running) return;
    const now = this.#clock.monotonicMs();
    const { send, skipped, nextDueMs } = this.#pacer.poll(now);
    if (send > 0 || skipped > 0) {
      const dueMs = nextDueMs - (send + skipped) * this.#pacer.frameMs;
      const slot = this.#ticks % LAG_WINDOW;
      this.#lags[slot] = Math.max(0, now - dueMs);
      this.#ticks++;
      this.#skipped += skipped;
      // A copy, so sessions added or removed by a session's tick change only the next tick.
      // (Entries are overwritten, never truncated: `length = 0` would free the array's storage.)
      const running = this.#running;
      let count = 0;
      for (const s of this.#sessions) running[count++] = s;
      for (let i = 0; i < count; i++) running[i]!.onMediaTick(send, skipped, now);
      running.fill(undefined, 0, count);
      this.#work[slot] = this.#clock.monotonicMs() - now;
    }
    if (!this.#pacer.running) return;
    const wait = Math.max(1, Math.floor(nextDueMs - EARLY_MS - this.#clock.monotonicMs()));
    this.#timer = this.#timers.set(wait, () => this.#tick());
  }
}
