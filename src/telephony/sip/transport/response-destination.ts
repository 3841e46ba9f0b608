import type { SipRequest } from '../message';
import { parseVia } from '../via';
import type { RemoteAddress } from './sip-transport';

/**
 * RFC 3261 §18.2.2 / RFC 3581 §4: where responses to `req` go. TCP: back on the connection it came
 * from; UDP: the source address (received) and the rport, else the Via port (default 5060).
 */
export function responseDestination(req: Pick<SipRequest, 'headers'>, src: RemoteAddress): RemoteAddress {
  const via = parseVia(req.headers.get('Via') ?? '');
  if (src.transport === 'tcp' || !via) return src;
  const rport = via.params.get('rport');
  return { transport: src.transport, address: src.address, port: rport ? Number(rport) : (via.port ?? 5060) };
}

/** A destination a socket can send to: a real port (1–65535) and an address. */
export function isRoutable(remote: RemoteAddress): boolean {
  return Number.isInteger(remote.port) && remote.port >= 1 && remote.port <= 65535 && remote.address !== '';
}
