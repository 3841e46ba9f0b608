import type { DtmfEvent } from '../rtp/dtmf-rfc4733';
import type { RtpStats } from '../rtp/rtp-session';
import type { NegotiatedMedia } from '../sdp/sdp-types';
import type { MediaTickerStats } from '../rtp/media-ticker';
import type { RecordingResult } from '../recording/call-recorder';
import type { OutboxFrames } from './frame-outbox';

/** Main thread → media worker; sent in batches (one postMessage per turn of the main event loop). */
export type MediaCommand =
  | { op: 'open'; id: number; port: number; bindAddress: string; mediaTimeoutMs?: number | undefined }
  | { op: 'remote'; id: number; media: NegotiatedMedia }
  | { op: 'start' | 'pause' | 'resume' | 'clear' | 'close'; id: number }
  | { op: 'audio'; id: number; pcm: Int16Array }
  | { op: 'dtmf'; id: number; req: number; digits: string }
  /** Record the session in the worker (stereo WAV at `path`) until 'stopRecording' or 'close'. */
  | { op: 'record'; id: number; path: string }
  | { op: 'stopRecording'; id: number }
  /** Post the frames the session sent ('sent') to the main thread: only while a listener there wants them. */
  | { op: 'forwardSent'; id: number; on: boolean };

/** Worker → main thread, per session. */
export type MediaReport =
  | { op: 'opened'; id: number }
  | { op: 'openFailed'; id: number; code: string; message: string }
  | { op: 'dtmfDone'; id: number; req: number; error?: { code: string; message: string } }
  | { op: 'dtmf'; id: number; event: DtmfEvent }
  | { op: 'mediaTimeout'; id: number }
  | { op: 'latched'; id: number; remote: { address: string; port: number } }
  | { op: 'stats'; id: number; stats: RtpStats }
  | { op: 'closed'; id: number; stats: RtpStats }
  /** The recording's file is complete (before 'closed' when the session closed while recording). */
  | { op: 'recorded'; id: number; result?: RecordingResult; error?: string };

/** Frame kinds in a batch's index. */
export const FRAME_AUDIO = 0;
export const FRAME_SENT = 1;

/**
 * Worker → main thread, once per 20 ms tick (and right away for open/dtmf replies): the frames of
 * every session packed into one slot of the worker's shared ring (FrameOutbox).
 */
export interface MediaBatch {
  reports: MediaReport[];
  frames: OutboxFrames;
  load?: MediaTickerStats & MediaWorkerGc;
}

/** The worker's garbage collections (PerformanceObserver 'gc'): since start, and the longest of the last 5 s. */
export interface MediaWorkerGc {
  gcCount: number;
  /** Of gcCount, the major ones (mark-compact). */
  gcMajorCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
}

export interface MediaWorkerData {
  worker: number;
  /** Where this worker's 20 ms ticks fall on the grid all workers share (worker k of n: k·20/n ms). */
  phaseMs?: number | undefined;
  /** Scheduling priority of the worker thread (nice value; lower = sooner), when permitted. */
  nice?: number | undefined;
  /** SCHED_FIFO priority (1-99) of the worker thread, when permitted; else `nice` applies. */
  realtimePriority?: number | undefined;
  /** The FrameOutbox ring's in-flight flags (Int32Array(OUTBOX_SLOTS) on a SharedArrayBuffer). */
  slotFlags?: Int32Array | undefined;
}
