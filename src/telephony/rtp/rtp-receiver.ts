import { FRAME_SAMPLES, SAMPLES_PER_MS } from '../../audio/frame';
import { FrameChunker } from '../../audio/frame-chunker';
import { decodeG711, decodeG711Into, type G711Codec } from '../../audio/g711';
import type { NegotiatedMedia } from '../sdp/sdp-types';
import { DtmfReceiver, type DtmfEvent } from './dtmf-rfc4733';
import { JitterBuffer, type JitterItem } from './jitter-buffer';
import { LossConcealer } from './loss-concealer';
import type { RtpPacket } from './rtp-packet';

const DEFAULT_TE_PT = 101;
const COMFORT_NOISE_PT = 13;

type Slot = { kind: 'audio'; codec: G711Codec; payload: Uint8Array } | { kind: 'event' };

export interface RtpReceiverOutput {
  audio(frame: Int16Array): void;
  dtmf(event: DtmfEvent): void;
}

/**
 * The receiving half of an RTP session (sans-IO): classifies packets by payload type, feeds
 * telephone-events to the DTMF receiver, orders audio through the jitter buffer, decodes G.711,
 * conceals losses and re-frames everything into 160-sample frames. Also keeps the RFC 3550
 * interarrival jitter estimate.
 */
export class RtpReceiver {
  readonly #out: RtpReceiverOutput;
  readonly #jitter: JitterBuffer<Slot>;
  readonly #concealer = new LossConcealer();
  readonly #frames = new FrameChunker(FRAME_SAMPLES, { views: true });
  readonly #dtmf = new DtmfReceiver();
  #media: NegotiatedMedia | undefined;
  #ssrc: number | undefined;
  #lastPacketSamples = FRAME_SAMPLES;
  #lastTransit: number | undefined;
  #jitterTs = 0;
  /** With transientFrames: every packet is decoded into this buffer (grown for a longer packet). */
  #decoded: Int16Array | undefined;

  /**
   * `transientFrames`: audio frames are valid only while `out.audio` runs (packets are decoded into
   * one buffer per receiver, so receiving allocates no sample array): for outputs that copy them.
   */
  constructor(out: RtpReceiverOutput, options: { jitterDepthPackets?: number; transientFrames?: boolean } = {}) {
    this.#out = out;
    this.#jitter = new JitterBuffer<Slot>({ depthPackets: options.jitterDepthPackets ?? 3 });
    if (options.transientFrames) this.#decoded = new Int16Array(FRAME_SAMPLES);
  }

  setMedia(media: NegotiatedMedia): void {
    this.#media = media;
  }

  get packetsLost(): number {
    return this.#jitter.stats.lost;
  }

  get latePackets(): number {
    return this.#jitter.stats.late;
  }

  /** RFC 3550 interarrival jitter, in ms. */
  get jitterMs(): number {
    return this.#jitterTs / SAMPLES_PER_MS;
  }

  /** Handles one packet; false when its payload type is not ours (nothing happened). */
  receive(p: RtpPacket, nowMs: number): boolean {
    const slot = this.#classify(p);
    if (!slot) return false;
    if (this.#ssrc !== p.ssrc) {
      if (this.#ssrc !== undefined) this.#deliver(this.#jitter.drain());
      this.#ssrc = p.ssrc;
      this.#lastTransit = undefined;
    }
    if (slot.kind === 'event') {
      if (p.payloadType !== COMFORT_NOISE_PT)
        for (const d of this.#dtmf.receive(p.timestamp, p.payload)) this.#out.dtmf(d);
    } else {
      this.#updateJitter(nowMs, p.timestamp);
    }
    this.#deliver(this.#jitter.push(p.sequenceNumber, slot));
    return true;
  }

  /** Reports a digit whose end packets never came (stream end). */
  flush(): void {
    for (const d of this.#dtmf.flush()) this.#out.dtmf(d);
  }

  #classify(p: RtpPacket): Slot | undefined {
    const media = this.#media;
    if (p.payloadType === (media?.telephoneEventPayloadType ?? DEFAULT_TE_PT)) return { kind: 'event' };
    if (p.payloadType === COMFORT_NOISE_PT) return { kind: 'event' }; // holds its sequence slot, plays nothing
    const codec: G711Codec | undefined =
      media && p.payloadType === media.payloadType
        ? media.codec
        : p.payloadType === 0
          ? 'PCMU'
          : p.payloadType === 8
            ? 'PCMA'
            : undefined;
    return codec ? { kind: 'audio', codec, payload: p.payload } : undefined;
  }

  #updateJitter(nowMs: number, timestamp: number): void {
    const transit = nowMs * SAMPLES_PER_MS - timestamp;
    if (this.#lastTransit !== undefined) {
      let d = Math.abs(transit - this.#lastTransit);
      if (d > 0x7fffffff) d = Math.abs(d - 0x1_0000_0000); // timestamp wrapped
      this.#jitterTs += (d - this.#jitterTs) / 16;
    }
    this.#lastTransit = transit;
  }

  #decode(codec: G711Codec, payload: Uint8Array): Int16Array {
    if (!this.#decoded) return decodeG711(codec, payload);
    if (this.#decoded.length < payload.length) this.#decoded = new Int16Array(payload.length);
    return decodeG711Into(codec, payload, this.#decoded);
  }

  #deliver(items: Array<JitterItem<Slot>>): void {
    for (const item of items) {
      if (item.kind === 'lost') {
        this.#frames.write(this.#concealer.conceal(this.#lastPacketSamples));
      } else if (item.value.kind === 'audio') {
        this.#lastPacketSamples = item.value.payload.length;
        this.#frames.write(this.#concealer.good(this.#decode(item.value.codec, item.value.payload)));
      }
      for (let f = this.#frames.shift(); f; f = this.#frames.shift()) this.#out.audio(f);
    }
  }
}
