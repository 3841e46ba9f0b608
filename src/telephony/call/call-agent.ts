import type { IdGenerator } from '../../shared/ids';
import type { Logger } from '../../shared/log';
import type { Timers } from '../../shared/timers';
import { TypedEmitter } from '../../shared/typed-emitter';
import type { OutOfDialogRequest, RequestResult } from '../sip/out-of-dialog-request';
import type { SipLimits } from '../sip/sip-limits';
import type { SipTimerConfig } from '../sip/transaction/sip-timers';
import type { SipTransportKind } from '../sip/transport/sip-transport';
import { UserAgentCore, type UserAgentCoreOptions } from '../sip/user-agent-core';
import { CallLeg } from './call-leg';
import type { CallMediaDefaults, DialOptions, LegDialogSnapshot, RecoveryByeResult } from './call-leg-types';
import { sendRecoveryBye } from '../sip/recovery-bye';

export type { CallMediaDefaults } from './call-leg-types';
import { IncomingCall } from './incoming-call';

export interface CallAgentEvents {
  incomingCall: (call: IncomingCall) => void;
}

export interface CallAgentStartOptions {
  bindAddress: string;
  /** 0 picks a free port (UDP and TCP then share it). */
  port: number;
  /** Address (and optional port) written into Via/Contact/SDP; defaults to bindAddress. */
  publicAddress?: string | undefined;
  transports?: SipTransportKind[];
  sipTimers?: Partial<SipTimerConfig>;
  timers?: Timers;
  media: CallMediaDefaults;
  ids?: IdGenerator;
  log?: Logger;
  userAgentName?: string;
  /** SIP limits against hostile peers (defaults: sip/sip-limits.ts). */
  limits?: Partial<SipLimits>;
  admitRequest?: UserAgentCoreOptions['admitRequest'];
}

/**
 * Phone calls over our SIP user agent core: `dial()` starts an outbound CallLeg, `incomingCall`
 * delivers inbound ones, each leg with an RTP session from the media defaults. Owns the core
 * (and through it the transports) and the legs it made; `close()` hangs up every leg first.
 */
export class CallAgent {
  readonly core: UserAgentCore;
  readonly media: CallMediaDefaults;
  readonly #events: TypedEmitter<CallAgentEvents>;
  readonly #legs = new Set<CallLeg>();
  #closed = false;

  constructor(o: { core: UserAgentCore; media: CallMediaDefaults }) {
    this.core = o.core;
    this.media = o.media;
    this.#events = new TypedEmitter((err) => o.core.log?.error({ err }, 'incomingCall listener failed'));
  }

  /** Binds the SIP transports and builds the core and the agent. */
  static async start(o: CallAgentStartOptions): Promise<CallAgent> {
    const core = await UserAgentCore.start({
      bindAddress: o.bindAddress,
      port: o.port,
      publicAddress: o.publicAddress,
      ...(o.transports ? { transports: o.transports } : {}),
      sipTimers: o.sipTimers,
      timers: o.timers,
      ids: o.ids,
      log: o.log,
      userAgentName: o.userAgentName,
      limits: o.limits,
      admitRequest: o.admitRequest,
    });
    return new CallAgent({ core, media: o.media });
  }

  get port(): number {
    return this.core.port;
  }

  /** `incomingCall`: until someone listens, inbound INVITEs are answered 480. */
  on<K extends keyof CallAgentEvents>(event: K, listener: CallAgentEvents[K]): this {
    this.#events.on(event, listener);
    this.core.delegate ??= {
      onInvite: (invite) => {
        const call = new IncomingCall(invite, this.#track(CallLeg.incoming(this.core, this.media, invite)));
        this.#events.emit('incomingCall', call);
      },
    };
    return this;
  }

  /** Starts an outbound call leg. */
  dial(opts: DialOptions): CallLeg {
    return this.#track(CallLeg.dial(this.core, this.media, opts));
  }

  /** Sends OPTIONS; any response means the peer is reachable. */
  options(target: string, transport?: SipTransportKind, callId?: string): Promise<RequestResult> {
    return this.core.options(target, transport, callId);
  }

  request(o: OutOfDialogRequest): Promise<RequestResult> {
    return this.core.request(o);
  }

  /** BYE for a dialog of a crashed process, from its snapshot (the call's row); see sip/recovery-bye.ts. */
  byeFromSnapshot(snapshot: LegDialogSnapshot): Promise<RecoveryByeResult> {
    return sendRecoveryBye(this.core, snapshot);
  }

  /** Hangs up every leg (BYE / CANCEL / 503), then closes the core and its transports. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#legs].map((leg) => leg.shutdown()));
    await this.core.close();
  }

  #track(leg: CallLeg): CallLeg {
    if (!leg.endResult) {
      this.#legs.add(leg);
      leg.on('ended', () => this.#legs.delete(leg));
    }
    return leg;
  }
}
