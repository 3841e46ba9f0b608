import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { AppError } from '../../shared/errors';
import type { RtpPortPool } from './port-pool';

function bindSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/**
 * A UDP socket bound on a port from the pool, skipping ports another process holds (up to 16
 * tries): `rtp_ports_exhausted` (retryable) when every port tried is taken, `rtp_bind_failed`
 * for any other bind error. The port goes back to the pool on failure; on success the caller
 * releases it when the socket closes.
 */
export async function bindRtpSocket(pool: RtpPortPool, bindAddress: string): Promise<{ socket: Socket; port: number }> {
  const attempts = Math.min(pool.capacity, 16);
  for (let i = 0; i < attempts; i++) {
    const port = pool.acquire();
    const socket = createSocket({ type: isIPv6(bindAddress) ? 'udp6' : 'udp4' });
    try {
      await bindSocket(socket, port, bindAddress);
      return { socket, port };
    } catch (err) {
      pool.release(port);
      try {
        socket.close();
      } catch {
        // never bound: nothing to close
      }
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        throw new AppError('rtp_bind_failed', `cannot bind RTP port ${port} on ${bindAddress}`, { cause: err });
      }
    }
  }
  throw new AppError('rtp_ports_exhausted', 'every RTP port tried is held by another process', { retryable: true });
}
