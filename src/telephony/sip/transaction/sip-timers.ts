/** RFC 3261 §17.1.1.1 base timers, per user agent (never global). */
export interface SipTimerConfig {
  /** RTT estimate: first retransmission interval (default 500 ms). */
  t1Ms: number;
  /** Maximum retransmission interval for non-INVITE requests and INVITE responses (default 4 s). */
  t2Ms: number;
  /** Maximum time a message stays in the network (default 5 s). */
  t4Ms: number;
}

export const DEFAULT_SIP_TIMERS: SipTimerConfig = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };
