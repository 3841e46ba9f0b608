import { findHeaderEnd } from './parse-message';

const CONTENT_LENGTH = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*(\S*)/i;

/**
 * Cuts a TCP byte stream into whole SIP messages using Content-Length (RFC 3261 §18.3).
 * Keep-alive CRLFs between messages are skipped. A message without Content-Length, or with
 * an invalid one, is a framing error: the connection must be closed.
 *
 * Incremental: bytes are appended to a growing buffer (amortised O(1) per byte), the search for
 * the blank line resumes where the previous chunk ended, and Content-Length is read once per
 * message, so a peer dribbling one byte at a time costs O(n) in total, not O(n²). At most
 * `maxBytes` are buffered for one message.
 */
export class SipStreamFramer {
  readonly #maxBytes: number;
  #buf: Buffer = Buffer.alloc(0);
  /** Unconsumed bytes are #buf[#start, #end). */
  #start = 0;
  #end = 0;
  /** Offset (from #start) up to which the current message was searched for its blank line. */
  #scanned = 0;
  /** Total length of the current message once its header block is known, else -1. */
  #frameLength = -1;

  constructor(maxBytes = 65_535) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes held for a message not yet complete (0 between messages). */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /** Feeds bytes; returns the complete frames, or `{ error }` when the stream is unrecoverable. */
  push(chunk: Buffer): { frames: Buffer[]; error?: string } {
    this.#append(chunk);
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#frameLength < 0 && this.#scanned === 0) {
        while (this.#start < this.#end && (this.#buf[this.#start] === 0x0d || this.#buf[this.#start] === 0x0a))
          this.#start++;
      }
      const available = this.#end - this.#start;
      if (available === 0) {
        this.#start = this.#end = 0;
        return { frames };
      }
      if (this.#frameLength < 0) {
        const view = this.#buf.subarray(this.#start, this.#end);
        const end = findHeaderEnd(view, this.#scanned - 3);
        if (!end) {
          this.#scanned = available;
          if (available > this.#maxBytes) return { frames, error: 'header block too large' };
          return { frames };
        }
        const m = CONTENT_LENGTH.exec(view.toString('latin1', 0, end.headerEnd));
        if (!m) return { frames, error: 'message without Content-Length on a stream transport' };
        if (!/^\d{1,7}$/.test(m[1] ?? '')) return { frames, error: 'invalid Content-Length' };
        this.#frameLength = end.bodyStart + Number(m[1]);
        if (this.#frameLength > this.#maxBytes) return { frames, error: 'message too large' };
      }
      if (available < this.#frameLength) return { frames };
      frames.push(Buffer.from(this.#buf.subarray(this.#start, this.#start + this.#frameLength)));
      this.#start += this.#frameLength;
      this.#frameLength = -1;
      this.#scanned = 0;
    }
  }

  #append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.#end + chunk.length > this.#buf.length) {
      const held = this.#end - this.#start;
      const needed = held + chunk.length;
      if (needed <= this.#buf.length && held <= this.#buf.length / 2) {
        this.#buf.copy(this.#buf, 0, this.#start, this.#end); // compact in place
      } else {
        const next = Buffer.allocUnsafe(Math.max(4096, needed * 2));
        this.#buf.copy(next, 0, this.#start, this.#end);
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = held;
    }
    chunk.copy(this.#buf, this.#end);
    this.#end += chunk.length;
  }
}
