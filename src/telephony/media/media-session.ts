import type { NegotiatedMedia } from '../sdp/sdp-types';
import type { RtpSessionEvents, RtpStats } from '../rtp/rtp-session';
import type { RecordingResult } from '../recording/call-recorder';

/** A recording made where the session lives; close() resolves once the file is complete. */
export interface MediaRecording {
  /** The file's figures, or undefined when it could not be written (the reason is logged). */
  close(): Promise<RecordingResult | undefined>;
}

/**
 * One call's media as call legs and the calls module use it: the RtpSession itself (in-process)
 * or its stand-in for a session that lives in a media worker thread (RemoteRtpSession).
 */
export interface MediaSession {
  readonly localPort: number;
  readonly media: NegotiatedMedia | undefined;
  readonly remote: { address: string; port: number } | undefined;
  readonly closed: boolean;
  /** In a worker: the last figures it reported (every second and at close). */
  readonly stats: RtpStats;
  on<K extends keyof RtpSessionEvents>(event: K, listener: RtpSessionEvents[K]): this;
  off<K extends keyof RtpSessionEvents>(event: K, listener: RtpSessionEvents[K]): this;
  setRemote(media: NegotiatedMedia): void;
  start(): void;
  sendAudio(pcm8k: Int16Array): void;
  /** Audio handed to sendAudio and not sent yet, ms (in a worker: as of its last report). */
  readonly outgoingQueuedMs: number;
  clearOutgoing(): void;
  sendDtmf(digits: string): Promise<void>;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
  /**
   * Sessions in a media worker record themselves there (stereo WAV: received left, actually sent
   * right), so a stall of the main thread drops nothing; absent on an in-process RtpSession,
   * which is recorded from its events on the main thread (the same SessionRecorder).
   */
  record?(path: string): MediaRecording;
}

export interface MediaSessionOptions {
  bindAddress: string;
  mediaTimeoutMs?: number | undefined;
}

/** Per media worker: its sessions and how late its 20 ms clock fires (for metrics and placement). */
export interface MediaWorkerLoad {
  worker: number;
  sessions: number;
  ticks: number;
  tickLagP50Ms: number;
  tickLagP99Ms: number;
  tickLagMaxMs: number;
  skippedSlots: number;
  /** How long its ticks took to run all of its sessions (same window as the lag). */
  tickWorkP50Ms: number;
  tickWorkP99Ms: number;
  tickWorkMaxMs: number;
  /** Garbage collections in the worker since it started, their total pause, the longest in the last 5 s. */
  gcCount: number;
  /** Of gcCount, the major ones (mark-compact). */
  gcMajorCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Share of its time busy since the previous stats() reading, 0..1 (absent on the main thread). */
  utilization?: number;
}

export interface MediaEngineStats {
  /** `workers`: RTP runs in worker threads; `in-process`: on the main event loop. */
  mode: 'workers' | 'in-process';
  sessions: number;
  workers: MediaWorkerLoad[];
}

/** Where RTP sessions are opened: the main thread, or a pool of media worker threads. */
export interface MediaEngine {
  open(options: MediaSessionOptions): Promise<MediaSession>;
  stats(): MediaEngineStats;
  close(): Promise<void>;
}
