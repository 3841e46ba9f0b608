import type { G711Codec } from '../../audio/g711';
import type { MediaEngine } from '../media/media-session';
import type { RtpPortPool } from '../rtp/port-pool';
import type { CallOutcome } from '../sip/call-outcome';
import type { DigestCredentials } from '../sip/digest';
import type { SipTransportKind } from '../sip/transport/sip-transport';

/** Where call legs get their RTP sessions (the CallAgent's media defaults). */
export interface CallMediaDefaults {
  pool: RtpPortPool;
  /** Where sessions run: media worker threads (MediaWorkerPool) or, unset, the main thread. */
  engine?: MediaEngine | undefined;
  /** Address RTP sockets bind to. */
  bindAddress: string;
  /** Address written into SDP (defaults to the user agent's public address). */
  sdpAddress?: string | undefined;
  codecs?: G711Codec[] | undefined;
  mediaTimeoutMs?: number | undefined;
}

export interface DialOptions {
  /** e.g. `sip:+14155550199@trunk.example.com:5060` */
  target: string;
  /** Defaults to the URI's transport parameter, else UDP. */
  transport?: SipTransportKind;
  fromUser: string;
  fromDisplayName?: string;
  credentials?: DigestCredentials;
  /** Give up ringing after this long (CANCEL → no_answer). Default 60 000. */
  ringTimeoutMs?: number;
  codecs?: G711Codec[];
  headers?: Array<[string, string]>;
}

export interface LegEnded {
  outcome: CallOutcome;
  /** The final SIP status that decided the outcome, when there was one. */
  sipStatus?: number;
  /** True when the far end hung up / refused / canceled. */
  byRemote: boolean;
  detail?: string;
}

export interface LegDtmf {
  digit: string;
  durationMs?: number;
  source: 'rfc4733' | 'info';
}

export type { TransferResult } from '../sip/transfer-tracker';
/** An answered leg's SIP dialog as JSON-safe data (CallLeg.dialogSnapshot, CallAgent.byeFromSnapshot). */
export type { InviteSessionSnapshot as LegDialogSnapshot } from '../sip/invite-session';
export type { RecoveryByeResult } from '../sip/recovery-bye';

export interface CallLegEvents {
  ringing: () => void;
  earlyMedia: () => void;
  answered: () => void;
  hold: () => void;
  resume: () => void;
  dtmf: (e: LegDtmf) => void;
  mediaTimeout: () => void;
  ended: (e: LegEnded) => void;
}

export type LegState = 'calling' | 'early' | 'offered' | 'answered' | 'ended';
