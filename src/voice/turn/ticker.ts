import { FRAME_MS } from '../../audio/frame';
import type { Clock } from '../../shared/clock';
import { systemTimers, type TimerHandle, type Timers } from '../../shared/timers';

/** After a stall, at most this many missed ticks are run at once (the rest are skipped). */
const MAX_CATCH_UP_TICKS = 10;

/**
 * One timer chain per `Timers` and period, shared by every Ticker on it: 50 timer callbacks a
 * second in all, however many conversations run (a chain per session costs a timer allocation
 * per tick each). Beats only wake the tickers; each ticker counts its own ticks on its clock.
 */
class Heartbeat {
  static readonly #shared = new WeakMap<Timers, Map<number, Heartbeat>>();
  readonly #timers: Timers;
  readonly #periodMs: number;
  readonly #listeners = new Set<() => void>();
  #handle: TimerHandle | undefined;

  private constructor(timers: Timers, periodMs: number) {
    this.#timers = timers;
    this.#periodMs = periodMs;
  }

  static of(timers: Timers, periodMs: number): Heartbeat {
    let byPeriod = Heartbeat.#shared.get(timers);
    if (!byPeriod) Heartbeat.#shared.set(timers, (byPeriod = new Map()));
    let beat = byPeriod.get(periodMs);
    if (!beat) byPeriod.set(periodMs, (beat = new Heartbeat(timers, periodMs)));
    return beat;
  }

  add(listener: () => void): void {
    this.#listeners.add(listener);
    if (this.#handle === undefined) this.#schedule();
  }

  delete(listener: () => void): void {
    this.#listeners.delete(listener);
    if (this.#listeners.size === 0 && this.#handle !== undefined) {
      this.#timers.clear(this.#handle);
      this.#handle = undefined;
    }
  }

  #schedule(): void {
    this.#handle = this.#timers.set(this.#periodMs, () => this.#beat());
  }

  #beat(): void {
    this.#handle = undefined;
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (err) {
        // One conversation's failure must not stop the others' clocks; it still surfaces as before.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    if (this.#listeners.size > 0 && this.#handle === undefined) this.#schedule();
  }
}

/**
 * The session's 20 ms heartbeat (output pacing and timers) on the injected `Timers`. Ticks are
 * counted against the monotonic clock, so N ticks always mean N × `periodMs` of clock time
 * however late the timers fire. Tests pass `FakeTimers` and a `FakeClock` advanced together.
 */
export class Ticker {
  readonly #clock: Clock;
  readonly #heartbeat: Heartbeat;
  readonly #periodMs: number;
  readonly #onBeat = (): void => this.#catchUp();
  #onTick: (() => void) | undefined;
  #t0 = 0;
  #done = 0;

  constructor(clock: Clock, timers: Timers = systemTimers, periodMs = FRAME_MS) {
    this.#clock = clock;
    this.#heartbeat = Heartbeat.of(timers, periodMs);
    this.#periodMs = periodMs;
  }

  start(onTick: () => void): void {
    this.stop();
    this.#onTick = onTick;
    this.#t0 = this.#clock.monotonicMs();
    this.#done = 0;
    this.#heartbeat.add(this.#onBeat);
  }

  stop(): void {
    this.#heartbeat.delete(this.#onBeat);
    this.#onTick = undefined;
  }

  #catchUp(): void {
    const due = Math.floor((this.#clock.monotonicMs() - this.#t0) / this.#periodMs);
    if (due - this.#done > MAX_CATCH_UP_TICKS) this.#done = due - MAX_CATCH_UP_TICKS;
    while (this.#done < due && this.#onTick) {
      this.#done += 1;
      this.#onTick();
    }
  }
}
