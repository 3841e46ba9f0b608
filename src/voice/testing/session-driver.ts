import { FRAME_MS } from '../../audio/frame';
import { FakeClock } from '../../shared/clock';
import { silentLogger } from '../../shared/log';
import { FakeTimers } from '../../shared/timers';
import type { AgentSession } from '../agent-session';
import { createAgentSession } from '../index';
import type { AgentAction, ToolCallAudit, TurnMetrics } from '../session-events';
import type { AgentSessionOptions } from '../session-options';
import { fetchToolHttpClient } from '../tools/tool-http-client';
import { silenceFrames } from './speech-fixtures';

export interface DriverOptions extends Partial<Omit<AgentSessionOptions, 'config' | 'providers'>> {
  config: AgentSessionOptions['config'];
  providers: AgentSessionOptions['providers'];
  /** Reply to transfer/DTMF actions (default: ok). */
  onAction?: (a: AgentAction) => void;
}

/**
 * Drives a session in simulated time: every 20 ms step advances a FakeClock, pushes one caller
 * frame and advances FakeTimers (the session's 20 ms tick), then (by default) waits until providers and the output pipeline
 * are idle — so provider round-trips take no simulated time and tests never sleep on timers.
 */
export class SessionDriver {
  readonly clock = new FakeClock();
  readonly timers = new FakeTimers();
  readonly session: AgentSession;
  /** Agent frames with the simulated ms at which each left. */
  readonly audio: { atMs: number; pcm: Int16Array }[] = [];
  readonly interrupts: number[] = [];
  readonly actions: AgentAction[] = [];
  readonly toolCalls: ToolCallAudit[] = [];
  readonly metrics: TurnMetrics[] = [];
  readonly errors: { source: string; error: Error }[] = [];
  ended: { reason: string; atMs: number } | undefined;
  #t0 = 0;

  constructor(options: DriverOptions) {
    this.session = createAgentSession({
      callId: 'call-test',
      clock: this.clock,
      log: silentLogger,
      toolHttp: fetchToolHttpClient,
      timers: this.timers,
      ...options,
    });
    const s = this.session;
    s.on('audio', (pcm) => this.audio.push({ atMs: this.nowMs, pcm }));
    s.on('interrupt', () => this.interrupts.push(this.nowMs));
    s.on('action', (a) => {
      this.actions.push(a);
      if (options.onAction) options.onAction(a);
      else if (a.type !== 'end_call') a.resolve({ ok: true });
    });
    s.on('toolCall', (t) => this.toolCalls.push(t));
    s.on('metrics', (m) => this.metrics.push(m));
    s.on('error', (e) => this.errors.push(e));
    s.on('ended', (e) => (this.ended = { reason: e.reason, atMs: this.nowMs }));
  }

  /** Simulated ms since start(). */
  get nowMs(): number {
    return this.clock.monotonicMs() - this.#t0;
  }

  async start(): Promise<void> {
    await this.session.prewarm();
    this.#t0 = this.clock.monotonicMs();
    await this.session.start();
    await this.session.whenIdle();
  }

  /** Plays caller frames in simulated real time. `settle: false` only yields to I/O briefly per frame. */
  async play(frames: Int16Array[], opts: { settle?: boolean } = {}): Promise<void> {
    for (const f of frames) {
      if (this.ended) return;
      this.clock.advance(FRAME_MS);
      this.session.pushAudio(f);
      this.timers.advance(FRAME_MS);
      if (opts.settle === false) await new Promise((r) => setTimeout(r, 1));
      else await this.session.whenIdle();
    }
  }

  silence(ms: number, opts: { settle?: boolean } = {}): Promise<void> {
    return this.play(silenceFrames(ms), opts);
  }

  /** Plays silence until `cond()` holds; fails after `maxMs` simulated. */
  async until(cond: () => boolean, maxMs: number, opts: { settle?: boolean } = {}): Promise<void> {
    for (let t = 0; t < maxMs && !cond(); t += FRAME_MS) {
      if (this.ended) break;
      await this.silence(20, opts);
    }
    if (!cond()) throw new Error(`condition not reached within ${maxMs} simulated ms`);
  }

  /** Plays silence until the agent has spoken (a frame after now) and then been quiet for `quietMs`. */
  async untilAgentQuiet(quietMs = 200, maxMs = 30_000): Promise<void> {
    const since = this.nowMs;
    await this.until(() => {
      const last = this.audio.at(-1)?.atMs;
      return last !== undefined && last >= since && this.nowMs - last >= quietMs;
    }, maxMs);
  }

  framesSince(ms: number): number {
    return this.audio.filter((a) => a.atMs >= ms).length;
  }
}
