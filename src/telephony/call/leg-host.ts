import type { TypedEvents } from '../rtp/typed-events';
import type { NegotiatedMedia } from '../sdp';
import type { CallOutcome } from '../sip/call-outcome';
import type { Dialog } from '../sip/dialog';
import type { TimerSet } from '../sip/transaction/timer-host';
import type { RemoteAddress, SipTransportKind } from '../sip/transport/sip-transport';
import type { SipUserAgent } from '../sip/user-agent';
import type { CallLegEvents, LegState } from './call-leg-types';

export interface LegEndOptions {
  byRemote: boolean;
  sipStatus?: number | undefined;
  detail?: string | undefined;
}

/** What a CallLeg lends the parts of its flows that live in their own files (e.g. InviteClient). */
export interface LegHost {
  readonly ua: SipUserAgent;
  readonly transport: SipTransportKind;
  readonly timers: TimerSet;
  readonly events: TypedEvents<CallLegEvents>;
  readonly callId: string;
  readonly localTag: string;
  state(): LegState;
  setState(state: LegState): void;
  isEnded(): boolean;
  setDialog(dialog: Dialog): void;
  /** Where in-dialog requests go. */
  dest(): RemoteAddress;
  applyMedia(negotiated: NegotiatedMedia): void;
  sendBye(): Promise<void>;
  end(outcome: CallOutcome, opts: LegEndOptions): void;
}
