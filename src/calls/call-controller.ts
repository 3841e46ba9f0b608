import { FRAME_MS } from '../audio/frame';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { systemTimers, type Timers } from '../shared/timers';
import { BalanceGuard } from './balance-guard';
import type {
  AgentAction,
  AgentSessionPort,
  CallLegPort,
  LegEnded,
  RecorderPort,
  ToolCallAudit,
  TranscriptTurn,
  TurnMetrics,
} from './call-ports';
import type { CallRepo } from './call-repo';
import { endReasonForOutcome, type EndReason } from './call-state';
import { CallWatchdog } from './call-watchdog';
import type { FinalizeInput, FinalizeResult, ToolCallRecord } from './finalize-call';
import { MediaBridge } from './media-bridge';
import { dialogColumns } from './sip-dialog-column';
import { CallScreening, type VoicemailSettings } from './voicemail/call-screening';
import type { OpsMetrics } from '../shared/ops-metrics';

export interface CallLimits {
  ringTimeoutMs: number;
  maxCallDurationMs: number;
  mediaTimeoutMs: number;
}

export interface CallControllerOptions {
  callId: number;
  instance: string;
  repo: CallRepo;
  finalize: (input: FinalizeInput) => Promise<FinalizeResult>;
  agent: AgentSessionPort;
  /** The agent's pre-warm (started while ringing); awaited before the agent starts talking. */
  prewarm?: Promise<unknown>;
  recorder?: RecorderPort | undefined;
  recordingPath?: string | undefined;
  limits: CallLimits;
  rateCentsPerMinute: number;
  /** Extends the call's balance hold to `minutes` minutes; false when the balance does not pay it. */
  reserveMinutes: (minutes: number) => Promise<boolean>;
  clock: Clock;
  /** Watchdogs, hang-up grace and shutdown deadlines (default: real timers). */
  timers?: Timers;
  log: Logger;
  /** Billed-minute length for the balance guard (tests shorten it; billing itself uses 60 s). */
  balanceMinuteMs?: number;
  /** Extra wait after the agent's last audio before an agent-initiated hang-up. */
  hangUpGraceMs?: number;
  /**
   * Outbound calls: answering-machine detection (calls/voicemail/). `hang_up` ends a call answered
   * by a machine with `voicemail`, `leave_message` speaks the message after the beep; the agent's
   * first words wait for the decision at most `holdGreetingMs` (`continue`: never).
   */
  voicemail?: VoicemailSettings;
  /** Operator metrics (GET /metrics): setup time, voice-to-voice latency, RTP statistics. */
  metrics?: OpsMetrics;
  /** `outbound`: attach() is the INVITE, so attach → answered is the setup time. */
  direction?: string;
}

/**
 * Drives one call from dialing to its terminal state: reacts to the SIP leg (ringing, answer,
 * hang-up), to the agent's actions (end, transfer, DTMF), and to the watchdogs (ring backstop,
 * max duration, media silence, balance). Exactly one path ends the call; the finalizer then
 * writes status, transcript, bill and webhook in one transaction.
 */
export class CallController {
  readonly #o: CallControllerOptions;
  readonly #timers: Timers;
  readonly #watchdog: CallWatchdog;
  readonly #guard: BalanceGuard;
  readonly #toolCalls: ToolCallRecord[] = [];
  #bridge: MediaBridge | undefined;
  #leg: CallLegPort | undefined;
  #answeredMs: number | undefined;
  #attachedMs: number | undefined;
  #firstAgentAudioMs: number | undefined;
  #outboundPlayedUntilMs = 0;
  #lastMediaFeedMs = 0;
  #framesIn = 0;
  #framesOut = 0;
  #ending = false;
  #screening: CallScreening | undefined;
  readonly #agentMetrics: TurnMetrics[] = [];
  readonly #done: Promise<FinalizeResult | undefined>;
  #resolveDone!: (r: FinalizeResult | undefined) => void;

  constructor(options: CallControllerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
    this.#watchdog = new CallWatchdog(this.#timers);
    this.#done = new Promise((r) => (this.#resolveDone = r));
    this.#guard = new BalanceGuard({
      rateCentsPerMinute: options.rateCentsPerMinute,
      reserveMinutes: options.reserveMinutes,
      onExhausted: () => void this.end('insufficient_balance'),
      onError: (err) => options.log.warn({ callId: options.callId, err }, 'balance check failed'),
      ...(options.balanceMinuteMs !== undefined
        ? { minuteMs: options.balanceMinuteMs, marginMs: options.balanceMinuteMs / 10 }
        : {}),
    });
    options.agent.on('action', (a) => void this.#onAction(a));
    // Built-in tools (end_call, transfer_call, send_dtmf, wait_on_hold) are call control, not the
    // customer's function tools: they show in the transcript but are not sent as telephony.tool.
    options.agent.on('toolCall', (t) => {
      if (!t.builtin) this.#toolCalls.push(toToolRecord(t));
    });
    options.agent.on('metrics', (m) => {
      this.#agentMetrics.push(m);
      if (m.totalMs !== null) options.metrics?.voiceToVoice(m.totalMs);
    });
    // The agent ends a conversation on its own only by silence/hold timeout or repeated failures.
    options.agent.on('ended', ({ reason }) => void this.end(reason));
  }

  get callId(): number {
    return this.#o.callId;
  }

  /** Resolves when the call is finalized (or was already terminal). */
  get done(): Promise<FinalizeResult | undefined> {
    return this.#done;
  }

  /** Outbound: called as soon as the INVITE is sent. Arms the ring backstop and the hard cap. */
  attach(leg: CallLegPort): void {
    this.#leg = leg;
    this.#attachedMs = this.#o.clock.monotonicMs();
    leg.on('ringing', () => void this.#o.repo.transition(this.#o.callId, 'ringing'));
    leg.on('answered', () => void this.answered());
    leg.on('ended', (e) => void this.#onLegEnded(e));
    leg.on('mediaTimeout', () => void this.end('timeout'));
    leg.on('dtmf', (e) => {
      if (this.#answeredMs !== undefined && !this.#ending) this.#o.agent.pushDtmf(e.digit);
    });
    this.#watchdog.arm('ring', this.#o.limits.ringTimeoutMs + 5000, () => void this.end('no_answer'));
    this.#watchdog.arm('max', this.#o.limits.maxCallDurationMs, () => void this.end('timeout'));
  }

  /** The far end answered (outbound 200 OK) or we accepted an inbound INVITE. */
  async answered(): Promise<void> {
    if (this.#ending || this.#answeredMs !== undefined) return;
    this.#answeredMs = this.#o.clock.monotonicMs();
    if (this.#o.direction === 'outbound' && this.#attachedMs !== undefined)
      this.#o.metrics?.callSetup('outbound', this.#answeredMs - this.#attachedMs);
    this.#watchdog.disarm('ring');
    await this.#o.repo.markAnswered(this.#o.callId, dialogColumns(this.#leg?.dialogSnapshot?.()));
    const media = this.#leg?.media;
    if (!media) {
      this.#o.log.error({ callId: this.#o.callId }, 'answered leg has no media');
      await this.end('error');
      return;
    }
    const vm = this.#o.voicemail;
    const screening = vm
      ? new CallScreening({
          settings: vm,
          callId: this.#o.callId,
          agent: this.#o.agent,
          timers: this.#timers,
          log: this.#o.log,
          end: (reason) => this.end(reason),
          ending: () => this.#ending,
          done: this.#done,
        })
      : undefined;
    this.#screening = screening;
    this.#bridge = new MediaBridge({
      media,
      nowMs: () => this.#o.clock.monotonicMs(),
      timers: this.#timers,
      agent: this.#o.agent,
      recorder: this.#o.recorder,
      ...(screening ? { onCallerFrame: (f: Int16Array) => screening.push(f) } : {}),
      onInboundAudio: () => this.#feedMedia(),
      onOutboundAudio: () => this.#onAgentFrame(),
    });
    this.#bridge.open();
    this.#watchdog.arm('media', this.#o.limits.mediaTimeoutMs, () => void this.end('timeout'));
    this.#guard.start();
    try {
      await this.#o.prewarm;
      // A human must not wait: the screen lets the agent speak once it is decided (or the hold ran out).
      if (screening) await Promise.race([screening.ready, this.#done]);
      if (this.#ending) return;
      // leave_message on a machine, once its beep is over: the message instead of a conversation, then hang up.
      if (screening?.leavesMessage()) return await screening.leaveMessage();
      screening?.agentStarted();
      await this.#o.agent.start();
    } catch (err) {
      this.#o.log.error({ callId: this.#o.callId, err }, 'agent failed to start');
      await this.end('error');
    }
  }

  /** Ends the call (once). `hangUp` false when the leg is already gone. */
  async end(
    reason: EndReason,
    extra: { transferNumber?: string; hangUp?: boolean } = {},
  ): Promise<FinalizeResult | undefined> {
    if (this.#ending) return this.#done;
    this.#ending = true;
    const o = this.#o;
    this.#watchdog.dispose();
    this.#guard.stop();
    this.#screening?.close();
    let result: FinalizeResult | undefined;
    const rtp = this.#leg?.media?.stats;
    if (rtp && this.#answeredMs !== undefined) o.metrics?.rtpCall(rtp);
    try {
      await o.repo.beginEnding(o.callId);
      if (extra.hangUp !== false && this.#leg) await this.#settle(this.#leg.hangUp(), 5000);
      await this.#settle(o.agent.stop(), 3000);
      // The recording is complete once this resolves (a media worker reports its file back).
      const recording = this.#bridge ? await this.#bridge.close() : await o.recorder?.close();
      const transcript = safeTranscript(o.agent);
      result = await o.finalize({
        callId: o.callId,
        endReason: reason,
        transferNumber: extra.transferNumber ?? null,
        transcript,
        recordingPath: this.#answeredMs !== undefined && recording ? (o.recordingPath ?? recording.path) : null,
        metrics: this.#metrics(),
        toolCalls: this.#toolCalls,
        ...(this.#screening ? { answeredBy: this.#screening.answeredBy() } : {}),
      });
    } catch (err) {
      o.log.error({ callId: o.callId, err }, 'ending the call failed');
      result = await o.finalize({ callId: o.callId, endReason: 'error' }).catch(() => undefined);
    }
    this.#resolveDone(result);
    return result;
  }

  async #onLegEnded(e: LegEnded): Promise<void> {
    const answered = this.#answeredMs !== undefined;
    await this.end(endReasonForOutcome(e.outcome, answered), { hangUp: false });
  }

  async #onAction(action: AgentAction): Promise<void> {
    if (this.#ending) return;
    switch (action.type) {
      case 'end_call': {
        const playoutMs = Math.max(0, this.#outboundPlayedUntilMs - this.#o.clock.monotonicMs());
        await this.#sleep(Math.min(10_000, playoutMs + (this.#o.hangUpGraceMs ?? 200)));
        await this.end('agent_end');
        return;
      }
      case 'transfer_call': {
        const result = this.#leg
          ? await this.#leg.transfer(action.number).catch(() => ({ ok: false, sipStatus: undefined }))
          : { ok: false, sipStatus: undefined };
        action.resolve(
          result.ok
            ? { ok: true }
            : { ok: false, error: `transfer failed${result.sipStatus ? ` (SIP ${result.sipStatus})` : ''}` },
        );
        if (result.ok) await this.end('transfer', { transferNumber: action.number });
        return;
      }
      case 'send_dtmf': {
        try {
          await this.#leg?.sendDtmf(action.digits);
          action.resolve({ ok: true });
        } catch (err) {
          action.resolve({ ok: false, error: String(err) });
        }
        return;
      }
    }
  }

  #feedMedia(): void {
    this.#framesIn += 1;
    const now = this.#o.clock.monotonicMs();
    if (now - this.#lastMediaFeedMs < 500) return;
    this.#lastMediaFeedMs = now;
    this.#watchdog.feed('media');
  }

  #onAgentFrame(): void {
    this.#framesOut += 1;
    const now = this.#o.clock.monotonicMs();
    if (this.#firstAgentAudioMs === undefined) this.#firstAgentAudioMs = now;
    this.#outboundPlayedUntilMs = Math.max(now, this.#outboundPlayedUntilMs) + FRAME_MS;
  }

  /** Waits for `p` (errors ignored) but never longer than `timeoutMs`. */
  async #settle(p: unknown, timeoutMs: number): Promise<void> {
    let handle: unknown;
    await Promise.race([
      Promise.resolve(p).catch(() => undefined),
      new Promise((r) => (handle = this.#timers.set(timeoutMs, () => r(undefined)))),
    ]);
    this.#timers.clear(handle);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((r) => this.#timers.set(ms, r));
  }

  #metrics(): Record<string, unknown> {
    return {
      answer_to_first_audio_ms:
        this.#answeredMs !== undefined && this.#firstAgentAudioMs !== undefined
          ? Math.round(this.#firstAgentAudioMs - this.#answeredMs)
          : null,
      caller_frames: this.#framesIn,
      agent_frames: this.#framesOut,
      turns: this.#agentMetrics,
    };
  }
}

function toToolRecord(t: ToolCallAudit): ToolCallRecord {
  return { name: t.name, arguments: t.arguments, response: t.response ?? null, error: t.error ?? null };
}

function safeTranscript(agent: AgentSessionPort): TranscriptTurn[] {
  try {
    return agent.transcript();
  } catch {
    return [];
  }
}
