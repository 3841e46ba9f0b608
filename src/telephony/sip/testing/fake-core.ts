import { SequentialIds } from '../../../shared/testing/sequential-ids';
import type { SipTimerConfig } from '../transaction/sip-timers';
import type { SipTransportKind } from '../transport/sip-transport';
import { UserAgentCore, type UserAgentCoreOptions } from '../user-agent-core';
import type { FakeNetwork } from './transport-fake';

/** A user agent core on a FakeNetwork: the network's FakeTimers, deterministic ids, no sockets. */
export function fakeUserAgentCore(
  net: FakeNetwork,
  o: {
    address?: string;
    port?: number;
    kinds?: SipTransportKind[];
    sipTimers?: Partial<SipTimerConfig>;
    admitRequest?: UserAgentCoreOptions['admitRequest'];
  } = {},
): UserAgentCore {
  return new UserAgentCore({
    transport: net.transportLayer(o.address ?? '127.0.0.1', o.port ?? 5070, o.kinds ?? ['udp']),
    timers: net.timers,
    ids: new SequentialIds(),
    sipTimers: o.sipTimers,
    admitRequest: o.admitRequest,
  });
}
