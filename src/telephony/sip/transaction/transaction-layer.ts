import type { Logger } from '../../../shared/log';
import type { Timers } from '../../../shared/timers';
import type { SipMessage, SipRequest, SipResponse } from '../message';
import type { RemoteAddress } from '../transport/sip-transport';
import type { TransportLayer } from '../transport/transport-layer';
import { ClientTransaction } from './client-transaction';
import { ServerTransaction } from './server-transaction';
import type { SipTimerConfig } from './sip-timers';
import { tagOf } from '../name-addr';
import {
  clientKeyOfRequest,
  clientKeyOfResponse,
  hasRfc3261Branch,
  inviteKeyForCancel,
  serverKey,
  serverKeyOf,
  type TransactionKey,
} from './transaction-keys';

/** Default budget of server transaction state per source address (see SIP_MAX_TRANSACTION_BYTES_PER_SOURCE). */
export const DEFAULT_MAX_TRANSACTION_BYTES_PER_SOURCE = 1_048_576;

export interface ClientTransactionHandlers {
  onResponse(res: SipResponse): void;
  /** Timer B/F fired, or the transport failed (RFC 3261 §17.1.4). */
  onTimeout(): void;
}

/**
 * RFC 3261 §17: owns the client and server transaction tables and matches messages to them
 * (transaction-keys.ts). Transactions send through `send`, which the user agent core provides.
 * Server transaction state is budgeted per source address (`maxBytesPerSource`, estimated from the
 * header fields a response copies): a source over its budget gets no new transactions (its
 * requests are dropped) until older ones end, so one host cannot fill the memory for 32 s.
 */
export class TransactionLayer {
  readonly #transport: TransportLayer;
  readonly #send: (msg: SipMessage, remote: RemoteAddress) => void;
  readonly #sipTimers: SipTimerConfig;
  readonly #timers: Timers;
  readonly #log: Logger | undefined;
  readonly #client = new Map<TransactionKey, { tx: ClientTransaction; remote: RemoteAddress }>();
  readonly #server = new Map<TransactionKey, ServerTransaction>();
  readonly #maxBytesPerSource: number;
  /** Estimated bytes of server transaction state per source address. */
  readonly #bytesBySource = new Map<string, number>();
  readonly #overBudget = new Set<string>();

  constructor(o: {
    transport: TransportLayer;
    send: (msg: SipMessage, remote: RemoteAddress) => void;
    sipTimers: SipTimerConfig;
    timers: Timers;
    log?: Logger | undefined;
    maxBytesPerSource?: number | undefined;
  }) {
    this.#transport = o.transport;
    this.#send = o.send;
    this.#sipTimers = o.sipTimers;
    this.#timers = o.timers;
    this.#log = o.log;
    this.#maxBytesPerSource = o.maxBytesPerSource ?? DEFAULT_MAX_TRANSACTION_BYTES_PER_SOURCE;
  }

  /** Server transactions alive now (tests, metrics). */
  get serverCount(): number {
    return this.#server.size;
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
    if (req.method !== 'ACK') return this.#server.get(serverKeyOf(req));
    const direct = this.#server.get(serverKey(req, 'INVITE'));
    if (direct || hasRfc3261Branch(req)) return direct;
    // RFC 2543 ACK of an initial INVITE: its To tag is the one our response added.
    const initial = this.#server.get(serverKey(req, 'INVITE', ''));
    const ours = tagOf(initial?.lastResponse?.headers.get('To'));
    return ours !== undefined && ours === tagOf(req.headers.get('To')) ? initial : undefined;
  }

  /** The INVITE server transaction a CANCEL targets. */
  findInviteForCancel(cancel: SipRequest): ServerTransaction | undefined {
    return this.#server.get(inviteKeyForCancel(cancel));
  }

  /**
   * A new server transaction; its responses go to `dest`. Undefined when the source is over its
   * state budget: the request is dropped (logged once per episode).
   */
  createServer(req: SipRequest, dest: RemoteAddress): ServerTransaction | undefined {
    const key = serverKeyOf(req);
    const source = dest.address;
    const cost = stateCost(req);
    const used = this.#bytesBySource.get(source) ?? 0;
    if (used + cost > this.#maxBytesPerSource) {
      if (!this.#overBudget.has(source)) {
        this.#overBudget.add(source);
        this.#log?.warn(
          { source, usedBytes: used, maxBytes: this.#maxBytesPerSource },
          'SIP source over its transaction budget: dropping its new requests',
        );
      }
      return undefined;
    }
    this.#bytesBySource.set(source, used + cost);
    const callId = Buffer.from(req.headers.get('Call-ID') ?? '').toString();
    const tx: ServerTransaction = new ServerTransaction({
      request: { method: req.method },
      reliable: this.#transport.isReliable(dest.transport),
      sipTimers: this.#sipTimers,
      timers: this.#timers,
      send: (res) => this.#send(res, dest),
      onTimeout: () => this.#log?.debug({ callId }, 'no ACK for final response'),
      onTerminated: () => {
        if (this.#server.get(key) === tx) this.#server.delete(key);
        const left = (this.#bytesBySource.get(source) ?? cost) - cost;
        if (left > 0) this.#bytesBySource.set(source, left);
        else this.#bytesBySource.delete(source);
        if (left < this.#maxBytesPerSource / 2) this.#overBudget.delete(source);
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

/** What a server transaction of `req` holds, roughly: its key and map entry, and a response copying these fields. */
function stateCost(req: SipRequest): number {
  let bytes = 256;
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq'])
    for (const v of req.headers.getAll(name)) bytes += v.length + 16;
  return bytes;
}
