import { SipHeaders } from './headers';
import type { SipRequest, SipResponse } from './message';
import { parseNameAddr } from './name-addr';
import type { DialogId } from './dialog-registry';

/** Everything a dialog is (RFC 3261 §12.1): plain data, so it can be exported and restored (JSON-safe). */
export interface DialogState {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From/To header value with our tag (carries our URI). */
  localHeader: string;
  /** Their From/To header value with their tag (carries their URI). */
  remoteHeader: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;
}

/**
 * RFC 3261 §12 dialog state: Call-ID, tags, CSeq counters, remote target and route set.
 * Builds in-dialog requests (without Via; the user agent core adds it).
 */
export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our From/To header value with our tag. */
  readonly localHeader: string;
  /** Their From/To header value with their tag. */
  readonly remoteHeader: string;
  readonly routeSet: string[];
  localSeq: number;
  remoteSeq: number | undefined;
  remoteTarget: string;

  private constructor(init: DialogState) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localHeader = init.localHeader;
    this.remoteHeader = init.remoteHeader;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
  }

  /** A dialog restored from `toState()` (e.g. to send BYE after a restart). */
  static fromState(state: DialogState): Dialog {
    return new Dialog({ ...state, routeSet: [...state.routeSet] });
  }

  toState(): DialogState {
    return {
      callId: this.callId,
      localTag: this.localTag,
      remoteTag: this.remoteTag,
      localHeader: this.localHeader,
      remoteHeader: this.remoteHeader,
      routeSet: [...this.routeSet],
      localSeq: this.localSeq,
      remoteSeq: this.remoteSeq,
      remoteTarget: this.remoteTarget,
    };
  }

  get id(): DialogId {
    return { callId: this.callId, localTag: this.localTag, remoteTag: this.remoteTag };
  }

  /** UAC side, from our INVITE and the 2xx (or 1xx with tag) that created the dialog. */
  static fromUac(invite: SipRequest, res: SipResponse): Dialog | null {
    const to = parseNameAddr(res.headers.get('To') ?? '');
    const from = parseNameAddr(invite.headers.get('From') ?? '');
    const contact = parseNameAddr(res.headers.get('Contact') ?? '');
    const remoteTag = to?.params.get('tag');
    const localTag = from?.params.get('tag');
    if (!to || !from || !remoteTag || !localTag) return null;
    return new Dialog({
      callId: invite.headers.get('Call-ID') ?? '',
      localTag,
      remoteTag,
      localHeader: invite.headers.get('From') ?? '',
      remoteHeader: res.headers.get('To') ?? '',
      routeSet: res.headers.getAll('Record-Route').reverse(),
      localSeq: Number((invite.headers.get('CSeq') ?? '1').split(/\s+/)[0]),
      remoteSeq: undefined,
      remoteTarget: contact?.uri ?? invite.uri,
    });
  }

  /** UAS side, from the INVITE we answer with `localTag`. */
  static fromUas(invite: SipRequest, localTag: string, localSeqStart: number): Dialog | null {
    const from = parseNameAddr(invite.headers.get('From') ?? '');
    const contact = parseNameAddr(invite.headers.get('Contact') ?? '');
    const remoteTag = from?.params.get('tag');
    if (!from || !remoteTag || !contact) return null;
    return new Dialog({
      callId: invite.headers.get('Call-ID') ?? '',
      localTag,
      remoteTag,
      localHeader: `${invite.headers.get('To') ?? ''};tag=${localTag}`,
      remoteHeader: invite.headers.get('From') ?? '',
      routeSet: invite.headers.getAll('Record-Route'),
      localSeq: localSeqStart,
      remoteSeq: Number((invite.headers.get('CSeq') ?? '0').split(/\s+/)[0]),
      remoteTarget: contact.uri,
    });
  }

  /** A new in-dialog request with the next CSeq (ACK reuses the INVITE's number: pass `cseq`). */
  createRequest(
    method: string,
    extra: Array<[string, string]> = [],
    body: Buffer = Buffer.alloc(0),
    cseq?: number,
  ): SipRequest {
    if (cseq === undefined) this.localSeq += 1;
    const h = new SipHeaders();
    let uri = this.remoteTarget;
    const routes = [...this.routeSet];
    const first = routes[0] === undefined ? null : parseNameAddr(routes[0]);
    if (first && !/;lr\b/i.test(first.uri)) {
      // Strict router (RFC 3261 §12.2.1.1): the first route becomes the Request-URI.
      uri = first.uri;
      routes.shift();
      routes.push(`<${this.remoteTarget}>`);
    }
    for (const r of routes) h.append('Route', r);
    h.append('Max-Forwards', '70');
    h.append('From', this.localHeader);
    h.append('To', this.remoteHeader);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${cseq ?? this.localSeq} ${method}`);
    for (const [n, v] of extra) h.append(n, v);
    return { kind: 'request', method, uri, headers: h, body };
  }

  /** Where in-dialog requests go first: the first route if any, else the remote target. */
  nextHopUri(): string {
    const first = this.routeSet[0] === undefined ? null : parseNameAddr(this.routeSet[0]);
    return first?.uri ?? this.remoteTarget;
  }

  /** Checks and records the remote CSeq; false for an out-of-order request (→ 500). */
  acceptRemoteSeq(req: SipRequest): boolean {
    const n = Number((req.headers.get('CSeq') ?? '0').split(/\s+/)[0]);
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (this.remoteSeq !== undefined && n <= this.remoteSeq) return false;
    this.remoteSeq = n;
    return true;
  }

  /** Target refresh (re-INVITE / its 2xx): a new Contact replaces the remote target. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const c = parseNameAddr(msg.headers.get('Contact') ?? '');
    if (c) this.remoteTarget = c.uri;
  }
}
