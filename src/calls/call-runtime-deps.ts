import type { Config } from '../config/config';
import type { Store } from '../store/db';
import type { JobQueue } from '../jobs/job-queue';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { SecretBox } from '../shared/secret-box';
import type { AgentSessionPort, CallLegPort, RecorderPort } from './call-ports';
import type { CallRow } from './call-repo';
import type { CallEventEmitter, FinalizeDeps } from './finalize-call';
import type { InboundConfigResolver, InboundOfferPort } from './inbound-call';
import type { HostResolver } from './inbound-source-policy';
import type { LegDialogSnapshot, RecoveryByeResult } from '../telephony/call/call-leg-types';
import type { DrainState } from '../shared/drain-state';
import type { OpsMetrics } from '../shared/ops-metrics';

/** What the call runtime is built from (call-runtime.ts), and what it reports. */
export interface OutboundDialRequest {
  callId: number;
  target: string;
  transport: 'udp' | 'tcp';
  fromUser: string;
  credentials: { username: string; password: string };
  ringTimeoutMs: number;
}

/** The real telephony and agent pieces, built by the composition root (call-parts.ts). */
export interface CallParts {
  /** Sends the INVITE and returns the leg right away; its events tell the rest. */
  dial(request: OutboundDialRequest): Promise<CallLegPort>;
  createAgent(call: CallRow): Promise<AgentSessionPort>;
  createRecorder(path: string): RecorderPort | undefined;
  /** Registers the handler for INVITEs that reach our SIP port. */
  onIncoming(handler: (offer: InboundOfferPort) => Promise<void>): void;
  /** BYE to the trunk for a dialog of a crashed process (recovery); without it recovery sends none. */
  byeFromSnapshot?(snapshot: LegDialogSnapshot): Promise<RecoveryByeResult>;
  close(): Promise<void>;
}

export interface CallRuntimeDeps {
  config: Config;
  store: Store;
  queue: JobQueue;
  clock: Clock;
  log: Logger;
  secretBox: SecretBox;
  events: CallEventEmitter;
  parts: CallParts;
  /** This process's id (instance-id.ts newInstanceId), written to calls.owner_instance. */
  instance: string;
  inboundConfig: InboundConfigResolver;
  /** Resolves VoIP trunk hosts for the inbound source check (default: DNS). */
  resolveHost?: HostResolver;
  recordingUrl?: FinalizeDeps['recordingUrl'];
  /** Delay before a call waiting for a concurrency slot tries again. */
  admissionRetryMs?: number;
  /** Billed-minute length seen by the balance guard; only tests shorten it. */
  balanceMinuteMs?: number;
  /** How often this process marks its calls alive and looks for abandoned ones (default 10 s). */
  heartbeatMs?: number;
  /** Another owner's call without a heartbeat for this long is recovered (default 3 × heartbeatMs). */
  orphanAfterMs?: number;
  /** Owners known gone at once (default: a dead pid of this host, see instance-id.ts). */
  isOwnerGone?: (owner: string) => boolean;
  /** stop(): how long live calls may wait for the database to finalize before they are left to recovery (default 10 s). */
  stopGraceMs?: number;
  /** How often a live call's growing transcript is written to calls.transcript (default 1 s; 0 = never). */
  transcriptCheckpointMs?: number;
  /** This process's drain flag: while set, inbound INVITEs get 503 + Retry-After and dial jobs are left to others. */
  drain?: DrainState;
  /** Operator metrics (GET /metrics): calls ended, setup time, voice-to-voice, RTP statistics. */
  metrics?: OpsMetrics;
}

export interface DrainReport {
  /** Calls that ended on their own while draining. */
  finished: number;
  /** Calls still live at the deadline (or the abort), ended with `server_shutdown`. */
  ended: number;
}
