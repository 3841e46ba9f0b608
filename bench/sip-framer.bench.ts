/**
 * SIP TCP framer benchmark: CPU to frame a message that arrives one byte per chunk (a slow or
 * hostile peer), for the incremental SipStreamFramer and for a naive framer that concatenates and
 * rescans the whole buffer on every chunk (how it was before), plus whole-message throughput.
 */
import { findHeaderEnd } from '../src/telephony/sip/parse-message';
import { SipStreamFramer } from '../src/telephony/sip/stream-framer';

/** The old approach, kept here only as the reference figure. */
class NaiveFramer {
  #buf = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const end = findHeaderEnd(this.#buf);
    if (!end) return [];
    const m = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*(\S*)/i.exec(this.#buf.toString('utf8', 0, end.headerEnd));
    const total = end.bodyStart + Number(m?.[1] ?? 0);
    if (this.#buf.length < total) return [];
    const frame = this.#buf.subarray(0, total);
    this.#buf = this.#buf.subarray(total);
    return [frame];
  }
}

function message(headerBytes: number): Buffer {
  const filler = `X-Filler: ${'f'.repeat(Math.max(0, headerBytes - 200))}`;
  return Buffer.from(
    [
      'OPTIONS sip:bench@127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKbench',
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:b@127.0.0.1>',
      'Call-ID: bench',
      'CSeq: 1 OPTIONS',
      filler,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

function dribbleMs(framer: { push(c: Buffer): unknown }, msg: Buffer, repeats: number): number {
  const t0 = performance.now();
  for (let r = 0; r < repeats; r++) for (let i = 0; i < msg.length; i++) framer.push(msg.subarray(i, i + 1));
  return (performance.now() - t0) / repeats;
}

export async function run(): Promise<void> {
  for (const size of [1_000, 8_000, 32_000]) {
    const msg = message(size);
    const repeats = size > 10_000 ? 2 : 10;
    const ours = dribbleMs(new SipStreamFramer(65_535), msg, repeats);
    const naive = dribbleMs(new NaiveFramer(), msg, repeats);
    console.log(
      `1-byte dribble of a ${msg.length} B message: incremental ${ours.toFixed(2)} ms, naive rescan ${naive.toFixed(2)} ms (${(naive / ours).toFixed(1)}x)`,
    );
  }
  const msg = message(1_000);
  const framer = new SipStreamFramer();
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) framer.push(msg);
  const ms = performance.now() - t0;
  console.log(`whole ${msg.length} B messages: ${Math.round(n / (ms / 1000))} messages/s`);
  await Promise.resolve();
}
