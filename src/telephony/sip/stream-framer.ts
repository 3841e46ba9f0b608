import { findHeaderEnd } from './parse-message';

/**
 * Cuts a TCP byte stream into whole SIP messages using Content-Length (RFC 3261 §18.3).
 * Keep-alive CRLFs between messages are skipped. A message without Content-Length, or with
 * an invalid one, is a framing error: the connection must be closed.
 */
export class SipStreamFramer {
  #buf: Buffer = Buffer.alloc(0);
  readonly #maxBytes: number;

  constructor(maxBytes = 65_535) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds bytes; returns the complete frames, or `{ error }` when the stream is unrecoverable. */
  push(chunk: Buffer): { frames: Buffer[]; error?: string } {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      let start = 0;
      while (start < this.#buf.length && (this.#buf[start] === 0x0d || this.#buf[start] === 0x0a)) start++;
      if (start > 0) this.#buf = this.#buf.subarray(start);
      if (this.#buf.length === 0) return { frames };
      const end = findHeaderEnd(this.#buf);
      if (!end) {
        if (this.#buf.length > this.#maxBytes) return { frames, error: 'header block too large' };
        return { frames };
      }
      const head = this.#buf.subarray(0, end.headerEnd).toString('utf8');
      const m = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*(\S*)/i.exec(head);
      if (!m) return { frames, error: 'message without Content-Length on a stream transport' };
      if (!/^\d{1,7}$/.test(m[1] ?? '')) return { frames, error: 'invalid Content-Length' };
      const total = end.bodyStart + Number(m[1]);
      if (total > this.#maxBytes) return { frames, error: 'message too large' };
      if (this.#buf.length < total) return { frames };
      frames.push(Buffer.from(this.#buf.subarray(0, total)));
      this.#buf = this.#buf.subarray(total);
    }
  }
}
