import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { DialectName } from '../store/db';
import type { Config } from '../config/config';
import { missingAgentServices } from '../config/agent-services';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/log';
import { AppError } from '../shared/errors';
import { agentCallConfig, getAgent } from '../agents/agent-service';
import { extendHold } from '../billing/balance-holds';
import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { RealtimeQuery } from '../realtime/realtime-query';
import { ServerEvents, type RealtimeDialect, type ServerEvent, type SessionView } from '../realtime/server-events';
import { BalanceGuard } from './balance-guard';
import { productTier } from './call-charge';
import type { RealtimeAgentPort, RecorderPort, ToolCallAudit, TurnMetrics } from './call-ports';
import { CallRepo, type CallRow } from './call-repo';
import type { EndReason } from './call-state';
import type { FinalizeInput, FinalizeResult, ToolCallRecord } from './finalize-call';
import { MediaBridge } from './media-bridge';
import { RealtimeBridge } from './realtime-bridge';
import { TranscriptCheckpoint } from './transcript-checkpoint';
import { systemTimers } from '../shared/timers';

/**
 * Agent timings of realtime sessions: 200 ms of audio ahead of playback (a WebSocket has more
 * jitter than RTP), no nudges and no silence hang-up (the client decides when to talk and when to
 * leave; MAX_CALL_DURATION_MS still caps a session).
 */
export const REALTIME_TIMINGS = { outputLeadFrames: 10, nudgeAfterMs: 0, silenceTimeoutMs: 0 } as const;

/** The socket, as api/routes/realtime.ts adapts it. */
export interface RealtimeSocket {
  send(text: string): void;
  /** Closes with a WebSocket close code (1000 normal, 1008 policy, 1011 server error). */
  close(code: number, reason: string): void;
  onMessage(listener: (text: string) => void): void;
  /** The client went away (closed or dropped). */
  onClose(listener: () => void): void;
}

/** Calls this process keeps alive (the call runtime's heartbeat). */
export interface LiveCallRegistry {
  adopt(callId: number): void;
  release(callId: number): void;
}

export interface RealtimeSessionsDeps {
  db: Kysely<DB>;
  dialect: DialectName;
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  voices: VoiceCatalog;
  /** This process's instance id (calls.owner_instance). */
  instance: string;
  /** The realtime session's agent, from its call row (agent-factory.ts with realtime timings). */
  createAgent: (call: CallRow) => Promise<RealtimeAgentPort>;
  finalize: (input: FinalizeInput) => Promise<FinalizeResult | undefined>;
  createRecorder?: (path: string) => RecorderPort | undefined;
  live?: LiveCallRegistry;
  /** Billed-minute length of the balance guard (tests shorten it). */
  balanceMinuteMs?: number;
}

export interface OpenRealtimeInput {
  orgId: number;
  query: RealtimeQuery;
  dialect: RealtimeDialect;
  /** The `model` the client asked for (echoed in the session). */
  model: string | undefined;
}

/** A session admitted before the upgrade: its call row exists and its first minute is held. */
export interface AdmittedSession {
  callId: number;
  run(socket: RealtimeSocket): Promise<void>;
  /** The upgrade failed: end the call unbilled. */
  abandon(): Promise<void>;
}

/**
 * Realtime WebSocket sessions as calls: admission before the upgrade (agent found, services
 * configured, the first minute held — refused with an HTTP status otherwise), then one
 * RealtimeBridge + MediaBridge over the agent session, and ONE finalization (transcript, bill,
 * `web.complete`) whichever way the session ends: the client closes or drops, the agent hangs up,
 * silence, the balance or the duration cap runs out, the server stops.
 */
export class RealtimeSessions {
  readonly #d: RealtimeSessionsDeps;
  readonly #repo: CallRepo;
  readonly #running = new Map<number, (reason: EndReason) => Promise<void>>();

  constructor(deps: RealtimeSessionsDeps) {
    this.#d = deps;
    this.#repo = new CallRepo(deps.db, deps.dialect, deps.clock);
  }

  get runningCallIds(): number[] {
    return [...this.#running.keys()];
  }

  async admit(input: OpenRealtimeInput): Promise<AdmittedSession> {
    const d = this.#d;
    const missing = missingAgentServices(d.config);
    if (missing !== null) throw new AppError('agent_not_configured', missing);
    const { query } = input;
    let config: Record<string, unknown>;
    let agentId: number | null = null;
    let agentVersion: number | null = null;
    if (query.target.kind === 'agent') {
      const agent = await getAgent(d.db, input.orgId, query.target.agentId);
      if (!agent) throw new AppError('agent_not_found', `Agent ${query.target.agentId} not found.`);
      agentId = agent.id;
      agentVersion = agent.version;
      config = {
        source: 'agent',
        agent_id: agent.id,
        name: agent.name,
        ...agentCallConfig(agent),
        speak_order: agent.inbound_speak_order,
        max_hold_seconds: agent.max_hold_seconds,
        primary_language: agent.primary_language,
      };
    } else {
      config = {
        source: 'realtime',
        name: null,
        prompt: '',
        voice: d.voices.defaultVoice()?.id ?? '',
        product: query.target.product,
        tools: [],
        speak_order: 'caller_first',
        primary_language: query.target.language,
      };
    }
    if ((await this.#repo.availableCents(input.orgId)) <= 0)
      throw new AppError('insufficient_balance', 'Insufficient balance.');
    // The org's concurrency limit counts realtime sessions with its phone calls, as inbound calls do.
    const { reached, limit } = await this.#repo.concurrencyLimitReached(
      input.orgId,
      d.config.calls.maxConcurrentPerOrg,
    );
    if (reached)
      throw new AppError(
        'realtime_concurrency_limit',
        `The organization already has ${limit} live calls, its concurrency limit.`,
      );
    const now = d.clock.nowIso();
    const call = await d.db
      .insertInto('calls')
      .values({
        org_id: input.orgId,
        agent_id: agentId,
        agent_version: agentVersion,
        phone_number_id: null,
        direction: 'mic',
        from_number: query.fromNumber ?? 'web',
        to_number: query.toNumber ?? 'web',
        status: 'in_progress',
        config: JSON.stringify(config),
        variables: '{}',
        product: String(config.product),
        voice: String(config.voice),
        start_time: now,
        answered_at: now,
        dialed_at: now,
        heartbeat_at: now,
        phase: 'answered',
        transcript: '[]',
        metrics: '{}',
        is_test_call: 0,
        owner_instance: d.instance,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    d.live?.adopt(call.id);
    if (!(await this.#repo.holdFirstMinute(call, d.config.rateCentsPerMinute)).ok) {
      await d.db.updateTable('calls').set({ answered_at: null }).where('id', '=', call.id).execute();
      await d.finalize({ callId: call.id, endReason: 'insufficient_balance' });
      d.live?.release(call.id);
      throw new AppError('insufficient_balance', 'Insufficient balance.');
    }
    return {
      callId: call.id,
      run: (socket) => this.#run(call, input, socket),
      abandon: async () => {
        await d.db.updateTable('calls').set({ answered_at: null }).where('id', '=', call.id).execute();
        await d.finalize({ callId: call.id, endReason: 'error' });
        d.live?.release(call.id);
      },
    };
  }

  /** Ends every running session (server shutdown). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#running.values()].map((end) => end('error')));
  }

  async #run(call: CallRow, input: OpenRealtimeInput, socket: RealtimeSocket): Promise<void> {
    const d = this.#d;
    const log = d.log.child({ callId: call.id, orgId: call.org_id, realtime: true });
    const cfg = JSON.parse(call.config) as Record<string, unknown>;
    const saved = input.query.target.kind === 'agent';
    const events = new ServerEvents(input.dialect, () => d.ids.token('event_', 12));
    const voice = d.voices.get(String(cfg.voice)) ?? d.voices.defaultVoice();
    const session: SessionView = {
      id: `sess_${call.id}`,
      model: input.model ?? (saved ? `agent_${call.agent_id}` : String(cfg.product)),
      instructions: saved ? String(cfg.prompt ?? '') : '',
      voice: voice?.id ?? String(cfg.voice),
      tools: [],
      toolChoice: 'auto',
      turnDetection: true,
      input: input.query.input,
      output: input.query.output,
    };
    let closed = false;
    const send = (event: ServerEvent): void => {
      if (!closed) socket.send(JSON.stringify(event));
    };
    const bridge = new RealtimeBridge({
      connection: { send },
      events,
      newId: (prefix) => d.ids.token(prefix, 16),
      session,
      agentIsAuthority: saved,
      // Minutes the org's available balance still pays at this session's rate (the limit that ends it).
      rateLimits: async () => {
        const rate = d.config.rateCentsPerMinute[productTier(call.product)];
        const available = Math.max(0, await this.#repo.availableCents(call.org_id));
        const minutes = rate > 0 ? Math.floor(available / rate) : 0;
        return [{ name: 'minutes', limit: minutes, remaining: minutes, reset_seconds: 0 }];
      },
      log,
    });
    const toolCalls: ToolCallRecord[] = [];
    const turnMetrics: TurnMetrics[] = [];
    let agent: RealtimeAgentPort | undefined;
    let media: MediaBridge | undefined;
    let checkpoint: TranscriptCheckpoint | undefined;
    const recordingPath = join(d.config.recordings.dir, `${call.id}.wav`);
    const recorder = d.createRecorder?.(recordingPath);
    const guard = new BalanceGuard({
      rateCentsPerMinute: d.config.rateCentsPerMinute[productTier(call.product)],
      reserveMinutes: (minutes) =>
        extendHold(d.db, {
          orgId: call.org_id,
          callId: call.id,
          minutes,
          nowIso: d.clock.nowIso(),
          nowMs: d.clock.nowMs(),
        }),
      onExhausted: () => void end('insufficient_balance'),
      onError: (err) => log.warn({ err }, 'realtime balance check failed'),
      ...(d.balanceMinuteMs !== undefined ? { minuteMs: d.balanceMinuteMs } : {}),
    });
    const timers = systemTimers;
    const maxDuration = timers.set(d.config.calls.maxCallDurationMs, () => void end('timeout'));

    let ending: Promise<void> | undefined;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const end = (reason: EndReason): Promise<void> => {
      ending ??= (async () => {
        guard.stop();
        timers.clear(maxDuration);
        bridge.ended(reason, input.query.callEvents);
        try {
          await Promise.race([agent?.stop(), new Promise((r) => setTimeout(r, 3000))]);
          const recording = media ? await media.close() : await recorder?.close();
          await checkpoint?.stop();
          await d.finalize({
            callId: call.id,
            endReason: reason,
            transcript: safe(() => agent?.transcript() ?? []),
            recordingPath: recording ? recordingPath : null,
            metrics: { turns: turnMetrics, realtime: { dialect: input.dialect } },
            toolCalls,
          });
        } catch (err) {
          log.error({ err }, 'ending the realtime session failed');
          await d.finalize({ callId: call.id, endReason: 'error' }).catch(() => undefined);
        } finally {
          bridge.close();
          d.live?.release(call.id);
          this.#running.delete(call.id);
          if (!closed) {
            closed = true;
            socket.close(reason === 'error' ? 1011 : 1000, reason);
          }
          resolveDone();
        }
      })();
      return ending;
    };
    this.#running.set(call.id, end);

    const startAgent = async (view: SessionView): Promise<void> => {
      try {
        let row = call;
        if (!saved) {
          const chosen = d.voices.get(view.voice);
          const inline = { ...cfg, prompt: view.instructions, ...(chosen ? { voice: chosen.id } : {}) };
          await d.db
            .updateTable('calls')
            .set({ config: JSON.stringify(inline), voice: String(inline.voice), updated_at: d.clock.nowIso() })
            .where('id', '=', call.id)
            .execute();
          row = { ...call, config: JSON.stringify(inline), voice: String(inline.voice) };
        }
        const a = await d.createAgent(row);
        if (ending) {
          await a.stop();
          return;
        }
        agent = a;
        a.on('toolCall', (t: ToolCallAudit) => {
          if (!t.builtin)
            toolCalls.push({
              name: t.name,
              arguments: t.arguments,
              response: t.response ?? null,
              error: t.error ?? null,
            });
        });
        a.on('metrics', (m) => void turnMetrics.push(m));
        a.on('action', (action) => {
          if (action.type === 'end_call') void end('agent_end');
          else
            action.resolve({
              ok: false,
              error: 'This session is not a phone call: there is nothing to transfer or dial.',
            });
        });
        a.on('ended', ({ reason }) => void end(reason));
        media = new MediaBridge({
          media: bridge.media,
          nowMs: () => d.clock.monotonicMs(),
          timers,
          agent: a,
          recorder,
        });
        bridge.attach(a);
        await a.prewarm();
        await a.start();
        media.open();
        checkpoint = new TranscriptCheckpoint({
          db: d.db,
          clock: d.clock,
          log,
          callId: call.id,
          transcript: () => a.transcript(),
        });
        checkpoint.start();
        bridge.drain();
      } catch (err) {
        log.error({ err }, 'realtime agent failed to start');
        send(events.error('internal_error', 'The agent could not start.'));
        await end('error');
      }
    };

    socket.onMessage((text) => {
      if (ending) return;
      try {
        bridge.receive(text);
      } catch (err) {
        log.error({ err }, 'realtime event failed');
        send(events.error('internal_error', 'The event could not be handled.'));
      }
    });
    socket.onClose(() => {
      closed = true;
      void end('caller_hangup');
    });
    bridge.on('configured', (view) => void startAgent(view));
    guard.start();
    bridge.open();
    if (saved) void startAgent(session);
    await done;
  }
}

function safe<T>(fn: () => T): T | [] {
  try {
    return fn();
  } catch {
    return [];
  }
}
