import { createSocket, type Socket } from 'node:dgram';
import type { NegotiatedMedia } from '../../sdp/sdp-types';
import { RtpPortPool } from '../port-pool';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from '../rtp-packet';

/**
 * An even base in 27800..31800 at random: below Linux's ephemeral ports (where tests find their
 * SIP and HTTP ports) and apart from the e2e servers' RTP ranges (test/e2e/support/server-env.ts).
 */
export function testRtpBase(): number {
  return 27_800 + 2 * Math.floor(Math.random() * 2_000);
}

/** A pool on a random 100-port range, so concurrently running test files rarely meet (EADDRINUSE is skipped anyway). */
export function testPortPool(size = 100): RtpPortPool {
  const base = testRtpBase();
  return new RtpPortPool(base, base + size - 1);
}

export function loopbackMedia(port: number, overrides: Partial<NegotiatedMedia> = {}): NegotiatedMedia {
  return {
    codec: 'PCMU',
    payloadType: 0,
    telephoneEventPayloadType: 101,
    remoteAddress: '127.0.0.1',
    remotePort: port,
    direction: 'sendrecv',
    ptimeMs: 20,
    onHold: false,
    ...overrides,
  };
}

/** Resolves when check() is true; rejects after timeoutMs (real network events only). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A bare UDP socket on loopback that records the RTP packets it receives and can send crafted ones. */
export class RawRtpPeer {
  readonly packets: Array<RtpPacket & { fromPort: number }> = [];
  readonly #socket: Socket;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => {
      const r = parseRtpPacket(msg);
      if (r.ok) this.packets.push({ ...r.packet, payload: Uint8Array.from(r.packet.payload), fromPort: rinfo.port });
    });
  }

  static async open(): Promise<RawRtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RawRtpPeer(socket);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  async send(toPort: number, packet: RtpPacket): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#socket.send(serializeRtpPacket(packet), toPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }

  async sendRaw(toPort: number, bytes: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#socket.send(bytes, toPort, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}
