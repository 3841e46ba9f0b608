import type { Logger } from '../../../shared/log';
import type { Timers } from '../../../shared/timers';
import type { SipMessage, SipRequest, SipResponse } from '../message';
import type { RemoteAddress } from '../transport/sip-transport';
import type { TransportLayer } from '../transport/transport-layer';
import { ClientTransaction } from './client-transaction';
import { ServerTransaction } from './server-transaction';
import type { SipTimerConfig } from './sip-timers';
import {
  clientKeyOfRequest,
  clientKeyOfResponse,
  inviteKeyForCancel,
  serverKeyOf,
  type TransactionKey,
} from './transaction-keys';

export interface ClientTransactionHandlers {
  onResponse(res: SipResponse): void;
  /** Timer B/F fired, or the transport failed (RFC 3261 §17.1.4). */
  onTimeout(): void;
}

/**
 * RFC 3261 §17: owns the client and server transaction tables and matches messages to them
 * (transaction-keys.ts). Transactions send through `send`, which the user agent core provides.
 */
export class TransactionLayer {
  readonly #transport: TransportLayer;
  readonly #send: (msg: SipMessage, remote: RemoteAddress) => void;
  readonly #sipTimers: SipTimerConfig;
  readonly #timers: Timers;
  readonly #log: Logger | undefined;
  readonly #client = new Map<TransactionKey, { tx: ClientTransaction; remote: RemoteAddress }>();
  readonly #server = new Map<TransactionKey, ServerTransaction>();

  constructor(o: {
    transport: TransportLayer;
    send: (msg: SipMessage, remote: RemoteAddress) => void;
    sipTimers: SipTimerConfig;
    timers: Timers;
    log?: Logger | undefined;
  }) {
    this.#transport = o.transport;
    this.#send = o.send;
    this.#sipTimers = o.sipTimers;
    this.#timers = o.timers;
    this.#log = o.log;
  }

  /** Starts a client transaction for `req` (its top Via must be ours). */
  sendRequest(req: SipRequest, remote: RemoteAddress, h: ClientTransactionHandlers): ClientTransaction {
    const key = clientKeyOfRequest(req);
    const tx: ClientTransaction = new ClientTransaction({
      request: req,
      reliable: this.#transport.isReliable(remote.transport),
      sipTimers: this.#sipTimers,
      timers: this.#timers,
      send: (m) => this.#send(m, remote),
      onResponse: h.onResponse,
      onTimeout: h.onTimeout,
      onTerminated: () => {
        if (this.#client.get(key)?.tx === tx) this.#client.delete(key);
      },
    });
    this.#client.set(key, { tx, remote });
    if (!this.#transport.has(remote.transport)) {
      this.#timers.set(0, () => tx.transportError());
      return tx;
    }
    tx.start();
    return tx;
  }

  /** Feeds a response to its client transaction; false when none matches (e.g. a stray 2xx). */
  receiveResponse(res: SipResponse): boolean {
    const entry = this.#client.get(clientKeyOfResponse(res));
    if (!entry) return false;
    entry.tx.receive(res);
    return true;
  }

  /** The server transaction an inbound request belongs to (a retransmission, or an ACK's INVITE). */
  findServer(req: SipRequest): ServerTransaction | undefined {
    return this.#server.get(serverKeyOf(req));
  }

  /** The INVITE server transaction a CANCEL targets. */
  findInviteForCancel(cancel: SipRequest): ServerTransaction | undefined {
    return this.#server.get(inviteKeyForCancel(cancel));
  }

  /** A new server transaction; its responses go to `dest`. */
  createServer(req: SipRequest, dest: RemoteAddress): ServerTransaction {
    const key = serverKeyOf(req);
    const tx: ServerTransaction = new ServerTransaction({
      request: req,
      reliable: this.#transport.isReliable(dest.transport),
      sipTimers: this.#sipTimers,
      timers: this.#timers,
      send: (res) => this.#send(res, dest),
      onTimeout: () => this.#log?.debug({ callId: req.headers.get('Call-ID') }, 'no ACK for final response'),
      onTerminated: () => {
        if (this.#server.get(key) === tx) this.#server.delete(key);
      },
    });
    this.#server.set(key, tx);
    return tx;
  }

  /** A transport failure towards `remote` ends the client transactions sent there. */
  transportError(remote: RemoteAddress): void {
    for (const { tx, remote: r } of [...this.#client.values()]) {
      if (r.transport === remote.transport && r.port === remote.port) tx.transportError();
    }
  }

  /** Ends every transaction silently (user agent shutdown). */
  dispose(): void {
    for (const { tx } of [...this.#client.values()]) tx.dispose();
    for (const tx of [...this.#server.values()]) tx.dispose();
  }
}
