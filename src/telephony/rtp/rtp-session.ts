import type { RemoteInfo, Socket } from 'node:dgram';
import { AppError } from '../../shared/errors';
import { systemClock, type Clock } from '../../shared/clock';
import { cryptoIds, type IdGenerator } from '../../shared/ids';
import { silentLogger, type Logger } from '../../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../../shared/timers';
import { TypedEmitter } from '../../shared/typed-emitter';
import { FRAME_MS, FRAME_SAMPLES, SAMPLES_PER_MS } from '../../audio/frame';
import { FrameChunker } from '../../audio/frame-chunker';
import { encodeG711Into, G711_SILENCE, type G711Codec } from '../../audio/g711';
import type { NegotiatedMedia } from '../sdp/sdp-types';
import { digitToEvent, DtmfSender, type DtmfEvent } from './dtmf-rfc4733';
import { MediaTimeoutWatch } from './media-timeout';
import type { MediaTicker, TickedSession } from './media-ticker';
import { Pacer } from './pacer';
import type { RtpPortPool } from './port-pool';
import { bindRtpSocket } from './bind-rtp-socket';
import { parseRtpPacket, RTP_HEADER_BYTES, writeRtpHeader } from './rtp-packet';
import { RtpReceiver } from './rtp-receiver';
import { SymmetricLatch } from './symmetric-latch';
/** Consecutive packets from a new source before we move our sending there (symmetric RTP). */
const RELATCH_PACKETS = 5;
/** Packet buffers per session, reused in turn (see #nextPacket). */
const PACKET_RING = 8;
/** Room for one packet of the ring: the header and a 20 ms G.711 frame (DTMF payloads are 4 bytes). */
const PACKET_BYTES = RTP_HEADER_BYTES + FRAME_SAMPLES;
/** A frame may leave this much before its slot (receivers' jitter buffers absorb it; being late is worse). */
const PACING_EARLY_MS = 1;

export interface RtpSessionOptions {
  pool: RtpPortPool;
  /** Local address to bind (SIP_BIND, or the public address). */
  bindAddress: string;
  clock?: Clock;
  timers?: Timers;
  ids?: IdGenerator;
  /** No RTP for this long after start() → 'mediaTimeout' (unset: no detection). */
  mediaTimeoutMs?: number;
  log?: Logger;
  /** Reorder depth of the jitter buffer, in packets (default 3). */
  jitterDepthPackets?: number;
  /** Send G.711 silence when no audio is queued (default true: keeps NAT bindings and trunk timers alive). */
  sendSilenceWhenIdle?: boolean;
  /** Paced by this shared 20 ms clock (a media worker's) instead of a timer chain of its own. */
  ticker?: MediaTicker;
  /**
   * 'audio' frames are valid only during the listener call (decoded into one buffer per session:
   * receiving allocates no sample array). For listeners that copy them, as a media worker's do.
   */
  transientFrames?: boolean;
}

export interface RtpSessionEvents {
  /** 160 samples of 8 kHz PCM, in order, concealment frames for losses. */
  audio: (frame: Int16Array) => void;
  dtmf: (event: DtmfEvent) => void;
  mediaTimeout: () => void;
  /** A frame that actually went out (silence included; read-only): the agent channel for the recorder. */
  sent: (frame: Int16Array) => void;
  /** Symmetric RTP moved our sending to the address the peer really sends from. */
  latched: (remote: { address: string; port: number }) => void;
}

export interface RtpStats {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  /** RFC 3550 interarrival jitter, in ms. */
  jitterMs: number;
  latePackets: number;
  invalidPackets: number;
}

/** Shared by every session: listeners of 'sent' must treat frames as read-only. */
const SILENT_FRAME = new Int16Array(FRAME_SAMPLES);
const SILENT_PAYLOAD: Readonly<Record<G711Codec, Uint8Array>> = {
  PCMU: new Uint8Array(FRAME_SAMPLES).fill(G711_SILENCE.PCMU),
  PCMA: new Uint8Array(FRAME_SAMPLES).fill(G711_SILENCE.PCMA),
};

/**
 * One call's RTP stream over a UDP port from the pool: paced 20 ms G.711 sending (SSRC,
 * sequence, timestamp, marker on talkspurts), RFC 4733 DTMF both ways, a reordering jitter
 * buffer with concealment, symmetric RTP, and media-timeout detection. The protocol logic
 * lives in the sans-IO cores next to this file; this class only wires them to a socket and
 * timers.
 */
export class RtpSession implements TickedSession {
  readonly localPort: number;
  readonly #socket: Socket;
  readonly #pool: RtpPortPool;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #log: Logger;
  readonly #events: TypedEmitter<RtpSessionEvents>;
  readonly #sendSilence: boolean;
  readonly #ticker: MediaTicker | undefined;
  // sending
  readonly #pacer = new Pacer({ frameMs: FRAME_MS, earlyToleranceMs: PACING_EARLY_MS });
  readonly #outgoing = new FrameChunker(FRAME_SAMPLES, { views: true });
  readonly #packetRing = Buffer.alloc(PACKET_RING * PACKET_BYTES);
  #packetSlot = 0;
  readonly #dtmfOut = new DtmfSender();
  readonly #ssrc: number;
  #seq: number;
  #ts: number;
  #idle = true;
  #timer: TimerHandle | undefined;
  #media: NegotiatedMedia | undefined;
  readonly #latch = new SymmetricLatch(RELATCH_PACKETS);
  #started = false;
  #paused = false;
  #closed: Promise<void> | undefined;
  // receiving
  readonly #receiver: RtpReceiver;
  readonly #watch: MediaTimeoutWatch | undefined;
  readonly #stats = { packetsSent: 0, packetsReceived: 0, invalidPackets: 0 };

  private constructor(opts: RtpSessionOptions, socket: Socket, port: number) {
    this.localPort = port;
    this.#socket = socket;
    this.#pool = opts.pool;
    this.#clock = opts.clock ?? systemClock;
    this.#timers = opts.timers ?? systemTimers;
    this.#log = (opts.log ?? silentLogger).child({ rtpPort: port });
    this.#events = new TypedEmitter<RtpSessionEvents>((err, event) =>
      this.#log.error({ event, err }, 'rtp listener failed'),
    );
    this.#sendSilence = opts.sendSilenceWhenIdle ?? true;
    this.#ticker = opts.ticker;
    const ids = opts.ids ?? cryptoIds;
    this.#ssrc = Math.floor(ids.random() * 0x1_0000_0000) >>> 0;
    this.#seq = Math.floor(ids.random() * 0x10000) & 0xffff;
    this.#ts = Math.floor(ids.random() * 0x1_0000_0000) >>> 0;
    this.#receiver = new RtpReceiver(
      { audio: (frame) => this.#events.emit('audio', frame), dtmf: (event) => this.#events.emit('dtmf', event) },
      { jitterDepthPackets: opts.jitterDepthPackets ?? 3, transientFrames: opts.transientFrames ?? false },
    );
    this.#watch = opts.mediaTimeoutMs ? new MediaTimeoutWatch(opts.mediaTimeoutMs) : undefined;
    socket.on('message', (msg, rinfo) => this.#onPacket(msg, rinfo));
    socket.on('error', (err) => this.#log.warn({ err }, 'rtp socket error'));
  }

  /** Binds a UDP socket on a port from the pool (skipping ports another process holds). */
  static async open(opts: RtpSessionOptions): Promise<RtpSession> {
    const { socket, port } = await bindRtpSocket(opts.pool, opts.bindAddress);
    return new RtpSession(opts, socket, port);
  }

  on<K extends keyof RtpSessionEvents>(event: K, listener: RtpSessionEvents[K]): this {
    this.#events.on(event, listener);
    return this;
  }

  off<K extends keyof RtpSessionEvents>(event: K, listener: RtpSessionEvents[K]): this {
    this.#events.off(event, listener);
    return this;
  }

  get ssrc(): number {
    return this.#ssrc;
  }

  get media(): NegotiatedMedia | undefined {
    return this.#media;
  }

  /** Where RTP goes now: the SDP address, or the latched source. */
  get remote(): { address: string; port: number } | undefined {
    return this.#latch.dest;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  get stats(): RtpStats {
    return {
      packetsSent: this.#stats.packetsSent,
      packetsReceived: this.#stats.packetsReceived,
      packetsLost: this.#receiver.packetsLost,
      jitterMs: this.#receiver.jitterMs,
      latePackets: this.#receiver.latePackets,
      invalidPackets: this.#stats.invalidPackets,
    };
  }

  get outgoingQueuedMs(): number {
    return this.#outgoing.samples / SAMPLES_PER_MS;
  }

  /** Applies (re-)negotiated media: codec, payload types, destination, direction. */
  setRemote(media: NegotiatedMedia): void {
    const prev = this.#media;
    this.#media = media;
    this.#receiver.setMedia(media);
    const moved = !prev || prev.remoteAddress !== media.remoteAddress || prev.remotePort !== media.remotePort;
    if (moved) {
      // A new SDP address: send there until the peer's real source shows up again.
      const usable = media.remotePort > 0 && media.remoteAddress !== '0.0.0.0' && media.remoteAddress !== '::';
      this.#latch.reset(usable ? { address: media.remoteAddress, port: media.remotePort } : undefined);
    }
    this.#updateWatch();
  }

  /** Starts paced sending and media-timeout detection. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#updateWatch();
    if (this.#ticker) return this.#ticker.add(this);
    this.#pacer.start(this.#clock.monotonicMs());
    this.#tick();
  }

  /** The shared ticker's beat: `send` frames go out now, `skipped` slots were given up after a stall. */
  onMediaTick(send: number, skipped: number, nowMs: number): void {
    if (this.#closed) return;
    this.#runSlots(send, skipped, nowMs);
  }

  /** Queues 8 kHz PCM of any length; it goes out in paced 20 ms frames. */
  sendAudio(pcm8k: Int16Array): void {
    // One copy per call (the caller keeps its array); the frames are views into it.
    if (!this.#closed && pcm8k.length > 0) this.#outgoing.write(pcm8k.slice());
  }

  /** Drops all queued outgoing audio at once (barge-in). */
  clearOutgoing(): void {
    this.#outgoing.clear();
  }

  /** Sends digits as RFC 4733 events (100 ms tone, 60 ms gap); resolves when the last end packet went out. */
  async sendDtmf(digits: string): Promise<void> {
    if (this.#closed) throw new AppError('rtp_session_closed', 'the RTP session is closed');
    const events = [...digits].map(digitToEvent);
    if (digits.length === 0 || events.some((e) => e === undefined)) {
      throw new AppError('invalid_dtmf', 'digits must be 0-9, *, #, A-D', {
        fields: { digits: ['Only 0-9, *, #, A-D are allowed.'] },
      });
    }
    if (this.#media && this.#media.telephoneEventPayloadType === undefined) {
      throw new AppError('dtmf_not_negotiated', 'the far end did not accept telephone-event');
    }
    const results = await Promise.all(
      events.map((event) => new Promise<boolean>((resolve) => this.#dtmfOut.enqueue(event!, resolve))),
    );
    if (results.includes(false))
      throw new AppError('rtp_session_closed', 'the RTP session closed before the digits were sent');
  }

  /** Hold: stop sending (the timeline keeps running) and stop expecting media. */
  pause(): void {
    this.#paused = true;
    this.#updateWatch();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#idle = true;
    this.#updateWatch();
  }

  /** Stops everything and releases the port; safe to call many times. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#pacer.stop();
      this.#ticker?.remove(this);
      if (this.#timer !== undefined) this.#timers.clear(this.#timer);
      this.#timer = undefined;
      this.#dtmfOut.cancel();
      this.#outgoing.clear();
      this.#receiver.flush();
      this.#events.removeAllListeners();
      const done = (): void => {
        this.#pool.release(this.localPort);
        resolve();
      };
      try {
        this.#socket.close(done);
      } catch {
        done();
      }
    });
    return this.#closed;
  }

  // ---- sending ----

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const now = this.#clock.monotonicMs();
    const { send, skipped, nextDueMs } = this.#pacer.poll(now);
    this.#runSlots(send, skipped, now);
    if (this.#closed) return;
    // Timers fire on whole milliseconds, never early: aim up to PACING_EARLY_MS before the slot.
    const wait = Math.max(1, Math.floor(nextDueMs - PACING_EARLY_MS - this.#clock.monotonicMs()));
    this.#timer = this.#timers.set(wait, () => this.#tick());
  }

  #runSlots(send: number, skipped: number, now: number): void {
    this.#ts = (this.#ts + skipped * FRAME_SAMPLES) >>> 0;
    for (let i = 0; i < send; i++) this.#sendSlot();
    if (this.#watch?.poll(now)) this.#events.emit('mediaTimeout');
  }

  #canSend(): boolean {
    const dir = this.#media?.direction;
    return !this.#paused && this.#latch.dest !== undefined && (dir === 'sendrecv' || dir === 'sendonly');
  }

  #sendSlot(): void {
    const ts = this.#ts;
    this.#ts = (ts + FRAME_SAMPLES) >>> 0;
    const media = this.#media;
    if (!media) return;
    const canSend = this.#canSend();
    const te = media.telephoneEventPayloadType;
    const dtmf = te !== undefined ? this.#dtmfOut.next(ts) : undefined;
    if (dtmf?.kind === 'event') {
      if (canSend) {
        const packet = this.#nextPacket(dtmf.payload!.length);
        packet.set(dtmf.payload!, RTP_HEADER_BYTES);
        this.#send(packet, te!, dtmf.marker ?? false, dtmf.timestamp ?? ts);
      }
      this.#idle = true;
      return;
    }
    const queued = this.#outgoing.shift(true);
    if (!canSend || (!queued && !this.#sendSilence)) {
      this.#idle = true;
      return;
    }
    const marker = queued !== undefined && this.#idle;
    this.#idle = queued === undefined;
    const packet = this.#nextPacket(FRAME_SAMPLES);
    const payload = packet.subarray(RTP_HEADER_BYTES);
    if (queued) encodeG711Into(media.codec, queued, payload);
    else payload.set(SILENT_PAYLOAD[media.codec]);
    this.#send(packet, media.payloadType, marker, ts);
    this.#events.emit('sent', queued ?? SILENT_FRAME);
  }

  /**
   * The next packet buffer of the session's ring (header + `payloadBytes`): sending allocates
   * nothing per frame. dgram hands a buffer to the kernel on the next microtask (after its
   * address lookup), and a session sends at most 3 packets per tick, so a buffer of the ring is
   * written again only ticks after it left.
   */
  #nextPacket(payloadBytes: number): Buffer {
    const slot = this.#packetSlot;
    this.#packetSlot = (slot + 1) % PACKET_RING;
    const at = slot * PACKET_BYTES;
    return this.#packetRing.subarray(at, at + RTP_HEADER_BYTES + payloadBytes);
  }

  #send(packet: Buffer, payloadType: number, marker: boolean, timestamp: number): void {
    const dest = this.#latch.dest!;
    writeRtpHeader(packet, marker, payloadType, this.#seq, timestamp, this.#ssrc);
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#stats.packetsSent++;
    // No callback: dgram then skips the completion callback per packet; a failed send is a lost packet.
    this.#socket.send(packet, dest.port, dest.address);
  }

  // ---- receiving ----

  #updateWatch(): void {
    const watch = this.#watch;
    if (!watch || !this.#started) return;
    const dir = this.#media?.direction ?? 'sendrecv';
    const expectMedia = !this.#paused && (dir === 'sendrecv' || dir === 'recvonly');
    if (expectMedia) watch.resume(this.#clock.monotonicMs());
    else watch.suspend();
  }

  #onPacket(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    const parsed = parseRtpPacket(msg);
    const now = this.#clock.monotonicMs();
    if (!parsed.ok || !this.#receiver.receive(parsed.packet, now)) {
      this.#stats.invalidPackets++;
      return;
    }
    this.#stats.packetsReceived++;
    this.#watch?.packet(now);
    const moved = this.#latch.observe(rinfo);
    if (moved) {
      this.#log.debug({ address: moved.address, port: moved.port }, 'rtp latched');
      this.#events.emit('latched', { address: moved.address, port: moved.port });
    }
  }
}
