import { join } from 'node:path';
import type { AgentSessionPort, CallLegPort } from './call-ports';
import { CallController } from './call-controller';
import { CallRepo, type CallRow } from './call-repo';
import { extendHold } from '../billing/balance-holds';
import { productTier } from './call-charge';
import { finalizeCall, type FinalizeDeps, type FinalizeInput, type FinalizeResult } from './finalize-call';
import { recoverOrphanedCalls } from './recover-calls';
import { TrunkDialSlots } from './trunk-dial-slots';
import { dialTarget, findTrunkForNumber } from './trunk-lookup';
import { handleInboundOffer } from './inbound-call';
import { isDatabaseUnavailableError } from '../store/database-errors';
import { RetryingFinalizer } from './finalize-with-retry';
import { OutageTolerantCallRepo } from './outage-tolerant-call-repo';
import { recoveryPaused } from './outage-grace';
import { TranscriptCheckpoint } from './transcript-checkpoint';
import { dnsHostResolver, type SourcePolicyDeps } from './inbound-source-policy';
import { CidrList } from '../shared/cidr';
import { DRAIN_RETRY_AFTER_S } from '../shared/drain-state';
import type { CallRuntimeDeps, DrainReport } from './call-runtime-deps';
import { voicemailActionOf, voicemailLanguageOf, voicemailMessageOf } from './voicemail/voicemail-config';
import {
  streamingSttFromConfig,
  uploadSttFromConfig,
  type StreamingSttProvider,
  type SttProvider,
} from '../voice/index';

export const DIAL_QUEUE = 'calls.dial';

export type { CallParts, CallRuntimeDeps, DrainReport, OutboundDialRequest } from './call-runtime-deps';

export const DEFAULT_HEARTBEAT_MS = 10_000;

/**
 * Runs calls in this process: start-up recovery, the `calls.dial` worker, inbound INVITEs, and
 * one CallController per live call.
 */
export class CallRuntime {
  readonly #d: CallRuntimeDeps;
  readonly #repo: CallRepo;
  readonly #slots: TrunkDialSlots;
  readonly #finalizeDeps: FinalizeDeps;
  /** finalizeCall retried while the database is unavailable (every call of this process ends through it). */
  readonly #finalizer: RetryingFinalizer;
  /** The repo live calls' controllers use: phase writes that never stop a call during an outage. */
  readonly #liveRepo: OutageTolerantCallRepo;
  readonly #live = new Map<number, CallController>();
  readonly #sources: SourcePolicyDeps;
  /** Calls taken by this process (admitted or accepted) and not yet handed to a controller. */
  readonly #held = new Set<number>();
  /** STT_STREAMING_PROVIDER, if configured: the voicemail screen hears the callee's words with it. */
  readonly #screeningStt: StreamingSttProvider | undefined;
  /** Without a streaming STT, STT_BASE_URL if configured: the screen uploads the callee's first seconds to it. */
  readonly #screeningUploadStt: SttProvider | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;
  #stopping = false;

  constructor(deps: CallRuntimeDeps) {
    this.#d = deps;
    this.#repo = new CallRepo(deps.store.db, deps.store.dialect, deps.clock);
    this.#screeningStt = streamingSttFromConfig(deps.config);
    this.#screeningUploadStt = this.#screeningStt ? undefined : uploadSttFromConfig(deps.config);
    this.#sources = {
      db: deps.store.db,
      resolveHost: deps.resolveHost ?? dnsHostResolver,
      demoSources: CidrList.of(deps.config.sip.demoAllowedSources),
      openCredentials: (sealed) => deps.secretBox.openJson<Record<string, unknown>>(sealed),
    };
    this.#slots = new TrunkDialSlots(
      deps.store.db,
      deps.store.dialect,
      deps.clock,
      deps.config.calls.trunkCallsPerSecond,
    );
    this.#finalizeDeps = {
      db: deps.store.db,
      clock: deps.clock,
      rateCentsPerMinute: deps.config.rateCentsPerMinute,
      events: deps.events,
      log: deps.log,
      analysisQueue: deps.queue,
      ...(deps.recordingUrl ? { recordingUrl: deps.recordingUrl } : {}),
    };
    this.#finalizer = new RetryingFinalizer({
      finalize: async (input) => {
        const result = await finalizeCall(this.#finalizeDeps, input);
        if (result.finalized && result.call)
          deps.metrics?.callEnded({
            direction: result.call.direction,
            status: result.call.status,
            endReason: result.call.end_reason,
          });
        return result;
      },
      clock: deps.clock,
      log: deps.log,
    });
    this.#liveRepo = new OutageTolerantCallRepo(deps.store.db, deps.store.dialect, deps.clock, {
      finalizer: this.#finalizer,
      log: deps.log,
    });
  }

  /** This process's instance id (calls.owner_instance). */
  get instance(): string {
    return this.#d.instance;
  }

  get repo(): CallRepo {
    return this.#repo;
  }

  get liveCallIds(): number[] {
    return [...this.#live.keys()];
  }

  /** A call run by another part of this process (a realtime session): heartbeated with ours until released. */
  adopt(callId: number): void {
    this.#held.add(callId);
  }

  release(callId: number): void {
    this.#held.delete(callId);
  }

  /** Ends a call exactly once, retried through a database outage (the runtime's own finalizer). */
  finalize(input: FinalizeInput): Promise<FinalizeResult | undefined> {
    return this.#finalizer.finalize(input);
  }

  /** Waits until the call's controller finished (undefined when it does not run here). */
  async whenEnded(callId: number): Promise<void> {
    await this.#live.get(callId)?.done;
  }

  /**
   * Recovery first (before any job runs), then the dial worker and the inbound handler, then the
   * ticker that heartbeats this process's calls and recovers other processes' abandoned ones.
   */
  async start(): Promise<void> {
    await this.recover();
    // A queued call whose dial job was lost would hold up its org's FIFO forever: give every
    // waiting call a job again (admission is idempotent, a duplicate job finds it not queued).
    for (const callId of await this.#repo.findQueued()) {
      await this.#d.queue.enqueue(DIAL_QUEUE, { callId }, { singletonKey: `requeue:${callId}` });
    }
    await this.#d.queue.work<{ callId: number }>(DIAL_QUEUE, (job) => this.dial(Number(job.payload.callId)), {
      concurrency: 8,
    });
    this.#d.parts.onIncoming(async (offer) => {
      if (this.#d.drain?.draining) {
        this.#d.log.info({ sipCallId: offer.sipCallId }, 'inbound call refused 503: draining');
        await offer.reject(503, 'Service Unavailable', [['Retry-After', String(DRAIN_RETRY_AFTER_S)]]);
        return;
      }
      await handleInboundOffer(offer, {
        db: this.#d.store.db,
        repo: this.#repo,
        config: this.#d.config,
        log: this.#d.log,
        instance: this.#d.instance,
        resolveConfig: this.#d.inboundConfig,
        sources: this.#sources,
        digest: { key: this.#d.config.secretKey, nowMs: () => this.#d.clock.nowMs() },
        finalize: (input) => this.#finalizer.finalize(input),
        run: (call, agent, leg) => this.#runInbound(call, agent, leg),
        createAgent: (call) => this.#d.parts.createAgent(call),
      }).catch(async (err: unknown) => {
        // No number lookup without the database: the caller hears "try again later", not silence.
        if (!isDatabaseUnavailableError(err)) throw err;
        this.#d.log.warn({ err }, 'inbound call rejected 503: database unavailable');
        await Promise.resolve(offer.reject(503, 'Service Unavailable')).catch(() => undefined);
      });
    });
    this.#ticker = setInterval(() => void this.#tick(), this.#d.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.#ticker.unref();
    // Back from an outage: mark our calls alive at once, before other servers judge them stale.
    this.#d.store.health.events.on('up', this.#onDatabaseUp);
  }

  readonly #onDatabaseUp = (): void => void this.#tick();

  /** One recovery pass (also run by the ticker): finalizes calls whose owner is gone. */
  async recover(): Promise<number[]> {
    const heartbeatMs = this.#d.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const report = await recoverOrphanedCalls(
      this.#repo,
      this.#finalizeDeps,
      {
        instance: this.#d.instance,
        staleAfterMs: this.#d.orphanAfterMs ?? 3 * heartbeatMs,
        finalize: (input) => this.#finalizer.finalize(input),
        ...(this.#d.parts.byeFromSnapshot ? { sendBye: (s) => this.#d.parts.byeFromSnapshot!(s) } : {}),
        ...(this.#d.isOwnerGone ? { isOwnerGone: this.#d.isOwnerGone } : {}),
      },
      this.#d.log,
    );
    return report.recovered;
  }

  /**
   * Heartbeat of every call this process holds (one UPDATE), then a recovery pass; never overlaps.
   * During a database outage and for one staleness window after it, only the heartbeat runs
   * (outage-grace.ts); a failure while the database is known down is not logged again.
   */
  async #tick(): Promise<void> {
    if (this.#sweeping || this.#stopping) return;
    const heartbeatMs = this.#d.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const run = (async () => {
      await this.#repo.heartbeat([...this.#held, ...this.#live.keys()], this.#d.instance);
      const graceMs = this.#d.orphanAfterMs ?? 3 * heartbeatMs;
      if (!recoveryPaused(this.#d.store.health, this.#d.clock.nowMs(), graceMs)) await this.recover();
    })().catch((err: unknown) => {
      if (isDatabaseUnavailableError(err)) this.#d.log.debug({ err }, 'call heartbeat skipped: database unavailable');
      else this.#d.log.warn({ err }, 'call heartbeat/recovery pass failed');
    });
    this.#sweeping = run;
    await run;
    this.#sweeping = undefined;
  }

  /**
   * Ends live calls (end reason `error`), then closes the SIP/RTP parts. Calls still waiting for
   * the database after `stopGraceMs` are left in progress: the next process recovers them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#ticker) clearInterval(this.#ticker);
    this.#d.store.health.events.off('up', this.#onDatabaseUp);
    const ending = Promise.allSettled([...this.#live.values()].map((c) => c.end('error')));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ending, new Promise((r) => (timer = setTimeout(r, this.#d.stopGraceMs ?? 10_000)))]);
    clearTimeout(timer);
    this.#finalizer.stop();
    await Promise.all([ending, this.#sweeping]);
    await this.#d.parts.close();
  }

  /**
   * Drain (SIGTERM): no new dial jobs are taken here (other servers take them; inbound INVITEs get
   * 503 while `drain.draining`), live calls run on until they end or `timeoutMs` passes (or `abort`
   * fires), then the rest end with `server_shutdown`. The caller sets the drain flag first.
   */
  async drain(timeoutMs: number, abort?: AbortSignal): Promise<DrainReport> {
    await this.#d.queue.stopWorking(DIAL_QUEUE);
    const busy = () => this.#live.size + this.#held.size;
    const atStart = busy();
    let timer: NodeJS.Timeout | undefined;
    const stopWaiting = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      abort?.addEventListener('abort', () => resolve(), { once: true });
      if (abort?.aborted) resolve();
    });
    let over = false;
    void stopWaiting.then(() => (over = true));
    while (!over && busy() > 0) {
      // A held call becomes live (or ends) within its dial: look again at least every 200 ms.
      const done = Promise.allSettled([...this.#live.values()].map((c) => c.done));
      await Promise.race([done, stopWaiting, new Promise((r) => setTimeout(r, 200).unref())]);
    }
    clearTimeout(timer);
    const left = [...this.#live.values()];
    await Promise.allSettled(left.map((c) => c.end('server_shutdown', { hangUp: true })));
    return { finished: Math.max(0, atStart - left.length), ended: left.length };
  }

  /**
   * The `calls.dial` job: admission (concurrency slot + first minute held, one transaction),
   * trunk, CPS pacing, then the INVITE. Idempotent.
   */
  async dial(callId: number): Promise<void> {
    if (this.#stopping) throw new Error('runtime stopping');
    const d = this.#d;
    if (d.drain?.draining) {
      // Taken just before the worker stopped: back to the queue for another server.
      await d.queue.enqueue(DIAL_QUEUE, { callId }, { delayMs: d.admissionRetryMs ?? 1000 });
      return;
    }
    const admission = await this.#repo.admit(
      callId,
      d.instance,
      d.config.calls.maxConcurrentPerOrg,
      d.config.rateCentsPerMinute,
    );
    if (admission.kind === 'not_queued') return;
    if (admission.kind === 'wait') {
      await d.queue.enqueue(DIAL_QUEUE, { callId }, { delayMs: d.admissionRetryMs ?? 1000 });
      return;
    }
    const call = admission.call;
    this.#held.add(callId);
    try {
      if (admission.kind === 'insufficient_balance') {
        d.log.info({ callId, availableCents: admission.availableCents }, 'balance does not pay one minute');
        await this.#finalizer.finalize({ callId, endReason: 'insufficient_balance' });
        return;
      }
      const lookup = await findTrunkForNumber(d.store.db, d.secretBox, call.org_id, call.from_number);
      if (lookup.kind === 'missing') {
        d.log.warn({ callId, reason: lookup.reason }, 'outbound call has no usable trunk');
        await this.#finalizer.finalize({ callId, endReason: 'provider_error' });
        return;
      }
      // The agent is built (and prewarms) before the trunk slot is taken: the INVITE then leaves at
      // its slot time, not after a variable build, so the trunk sees the calls-per-second spacing.
      const agent = await d.parts.createAgent(call);
      const controller = this.#controller(call, agent);
      const wait = await this.#slots.reserve(lookup.trunk.voipConnectionId);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const leg = await d.parts.dial({
        callId,
        target: dialTarget(call.to_number, lookup.trunk),
        transport: lookup.trunk.transport,
        fromUser: call.from_number,
        credentials: lookup.trunk.credentials,
        ringTimeoutMs: d.config.calls.ringTimeoutMs,
      });
      controller.attach(leg);
    } catch (err) {
      d.log.error({ callId, err }, 'dialing failed');
      const live = this.#live.get(callId);
      if (live) await live.end('error', { hangUp: true });
      else await this.#finalizer.finalize({ callId, endReason: 'error' });
    } finally {
      this.#held.delete(callId);
    }
  }

  async #runInbound(call: CallRow, agent: AgentSessionPort, leg: CallLegPort): Promise<void> {
    const controller = this.#controller(call, agent);
    controller.attach(leg);
    await controller.answered();
  }

  #controller(call: CallRow, agent: AgentSessionPort): CallController {
    const d = this.#d;
    const recordingPath = join(d.config.recordings.dir, `${call.id}.wav`);
    const recorder = d.parts.createRecorder(recordingPath);
    const prewarm = agent
      .prewarm()
      .catch((err: unknown) => d.log.warn({ callId: call.id, err }, 'agent prewarm failed'));
    const controller = new CallController({
      callId: call.id,
      instance: d.instance,
      repo: this.#liveRepo,
      finalize: (input) => this.#finalizer.finalize(input),
      agent,
      prewarm,
      recorder,
      recordingPath,
      limits: d.config.calls,
      rateCentsPerMinute: d.config.rateCentsPerMinute[productTier(call.product)],
      reserveMinutes: (minutes) =>
        extendHold(d.store.db, {
          orgId: call.org_id,
          callId: call.id,
          minutes,
          nowIso: d.clock.nowIso(),
          nowMs: d.clock.nowMs(),
        }),
      clock: d.clock,
      log: d.log.child({ callId: call.id, orgId: call.org_id }),
      direction: call.direction,
      ...(d.metrics ? { metrics: d.metrics } : {}),
      ...(d.balanceMinuteMs !== undefined ? { balanceMinuteMs: d.balanceMinuteMs } : {}),
      ...(call.direction === 'outbound'
        ? {
            voicemail: {
              action: voicemailActionOf(call),
              holdGreetingMs: d.config.calls.voicemailHoldGreetingMs,
              message: voicemailMessageOf(call),
              stt: this.#screeningStt,
              uploadStt: this.#screeningUploadStt,
              language: voicemailLanguageOf(call),
            },
          }
        : {}),
    });
    this.#live.set(call.id, controller);
    // Seam for the console: the live transcript reaches the database (and so every server) as it grows.
    const checkpoint = new TranscriptCheckpoint({
      db: d.store.db,
      clock: d.clock,
      log: d.log,
      callId: call.id,
      transcript: () => agent.transcript(),
      ...(d.transcriptCheckpointMs !== undefined ? { intervalMs: d.transcriptCheckpointMs } : {}),
    });
    checkpoint.start();
    void controller.done.finally(() => {
      this.#live.delete(call.id);
      void checkpoint.stop();
    });
    return controller;
  }
}
