/**
 * A media worker thread: RTP sessions (socket, jitter buffer, G.711, DTMF, pacing) on one shared
 * 20 ms clock, off the main event loop. Commands arrive from MediaWorkerPool in batches; frames
 * go back once per tick in one slot of a shared ring (FrameOutbox: the tick path allocates no
 * buffer). Only an adapter: the protocol logic is
 * RtpSession's sans-IO cores.
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../../shared/clock';
import { AppError } from '../../shared/errors';
import { systemTimers } from '../../shared/timers';
import { MediaTicker } from '../rtp/media-ticker';
import { RtpPortPool } from '../rtp/port-pool';
import { RtpSession } from '../rtp/rtp-session';
import {
  FRAME_AUDIO,
  FRAME_SENT,
  type MediaBatch,
  type MediaCommand,
  type MediaReport,
  type MediaWorkerData,
} from './media-worker-protocol';
import { WorkerRecordings } from './worker-recordings';
import { FrameOutbox } from './frame-outbox';
import { watchGc } from './worker-gc';

const STATS_EVERY_TICKS = 50;
const data = workerData as MediaWorkerData;

/** SCHED_FIFO for this thread only (`chrt -p` on its thread id), like Asterisk's `-p`; false when not permitted. */
function raiseToRealtime(priority: number): boolean {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').at(-1)!;
    return spawnSync('chrt', ['-f', '-p', String(priority), tid], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

if (!(data.realtimePriority !== undefined && raiseToRealtime(data.realtimePriority)) && data.nice !== undefined) {
  try {
    // On Linux, pid 0 is the calling thread: only this media thread is raised.
    setPriority(0, data.nice);
  } catch {
    // not permitted (not root / no CAP_SYS_NICE): run at the normal priority
  }
}
const port = parentPort!;
const ticker = new MediaTicker({
  clock: systemClock,
  timers: systemTimers,
  // systemClock's monotonic time is this thread's performance.now(): timeOrigin makes it comparable across workers.
  alignment: { epochOffsetMs: performance.timeOrigin, phaseMs: data.phaseMs ?? 0 },
});
const sessions = new Map<number, RtpSession>();
/** Commands for a session still binding its socket. */
const pending = new Map<number, MediaCommand[]>();
const recordings = new WorkerRecordings();
/** Sessions whose sent frames the main thread listens to (forwardSent); the others' stay here. */
const forwardSent = new Set<number>();

/** Reports wait here; an empty tick posts NO_REPORTS (a tick allocates no array of its own). */
const NO_REPORTS: MediaReport[] = [];
let reports: MediaReport[] = NO_REPORTS;
const outbox = new FrameOutbox(data.slotFlags);
const gc = watchGc(systemClock);
let ticks = 0;

function report(r: MediaReport): void {
  if (reports === NO_REPORTS) reports = [];
  reports.push(r);
}

function flush(): void {
  if (reports.length === 0 && outbox.frames === 0) return;
  const { frames, transfer } = outbox.take();
  const batch: MediaBatch = { reports, frames };
  if (ticks % STATS_EVERY_TICKS === 0) batch.load = { ...ticker.stats(), ...gc() };
  reports = NO_REPORTS;
  port.postMessage(batch, transfer);
}

let flushQueued = false;
/** Replies outside a tick (open, DTMF done, closed) go out on the next turn, even with no session ticking. */
function flushSoon(): void {
  if (flushQueued) return;
  flushQueued = true;
  setImmediate(() => {
    flushQueued = false;
    flush();
  });
}

/** Flushes right after every tick's sessions have sent: the ticker calls sessions in insertion order. */
const flusher = {
  onMediaTick(): void {
    ticks++;
    if (ticks % STATS_EVERY_TICKS === 0) for (const [id, s] of sessions) report({ op: 'stats', id, stats: s.stats });
    flush();
  },
};

async function open(c: Extract<MediaCommand, { op: 'open' }>): Promise<void> {
  pending.set(c.id, []);
  try {
    const session = await RtpSession.open({
      pool: new RtpPortPool(c.port, c.port + 1),
      bindAddress: c.bindAddress,
      ticker,
      // Every listener here copies the frame at once (the outbox, the recorder).
      transientFrames: true,
      ...(c.mediaTimeoutMs ? { mediaTimeoutMs: c.mediaTimeoutMs } : {}),
    });
    const id = c.id;
    session
      .on('audio', (f) => outbox.push(id, FRAME_AUDIO, f))
      .on('sent', (f) => {
        if (forwardSent.has(id)) outbox.push(id, FRAME_SENT, f);
      })
      .on('dtmf', (event) => report({ op: 'dtmf', id, event }))
      .on('mediaTimeout', () => report({ op: 'mediaTimeout', id }))
      .on('latched', (remote) => report({ op: 'latched', id, remote }));
    sessions.set(id, session);
    report({ op: 'opened', id });
    const queued = pending.get(id) ?? [];
    pending.delete(id);
    for (const q of queued) handle(q);
  } catch (err) {
    pending.delete(c.id);
    const code = err instanceof AppError ? err.code : 'rtp_bind_failed';
    report({ op: 'openFailed', id: c.id, code, message: (err as Error).message });
  }
  flushSoon();
}

function pushReport(r: MediaReport | undefined): void {
  if (r) report(r);
  flushSoon();
}

function handle(c: MediaCommand): void {
  if (c.op === 'open') return void open(c);
  const queued = pending.get(c.id);
  if (queued) return void queued.push(c);
  const s = sessions.get(c.id);
  if (!s) return;
  switch (c.op) {
    case 'remote':
      return s.setRemote(c.media);
    case 'start':
      // The flusher stays last in the ticker's order, so a tick's frames leave in that tick's batch.
      ticker.remove(flusher);
      s.start();
      return ticker.add(flusher);
    case 'pause':
      return s.pause();
    case 'resume':
      return s.resume();
    case 'clear':
      return s.clearOutgoing();
    case 'audio':
      return s.sendAudio(c.pcm);
    case 'dtmf':
      s.sendDtmf(c.digits)
        .then(
          () => report({ op: 'dtmfDone', id: c.id, req: c.req }),
          (err: unknown) =>
            report({
              op: 'dtmfDone',
              id: c.id,
              req: c.req,
              error: {
                code: err instanceof AppError ? err.code : 'rtp_session_closed',
                message: (err as Error).message,
              },
            }),
        )
        .finally(flushSoon);
      return;
    case 'record':
      return pushReport(recordings.start(c.id, s, c.path));
    case 'forwardSent':
      if (c.on) forwardSent.add(c.id);
      else forwardSent.delete(c.id);
      return;
    case 'stopRecording':
      return void recordings.stop(c.id).then(pushReport);
    case 'close': {
      sessions.delete(c.id);
      forwardSent.delete(c.id);
      const stats = s.stats;
      const recorded = recordings.stop(c.id);
      void Promise.all([recorded, s.close()]).then(([r]) => {
        if (r) report(r);
        report({ op: 'closed', id: c.id, stats });
        if (sessions.size === 0) ticker.remove(flusher);
        flushSoon();
      });
      return;
    }
  }
}

port.on('message', (batch: MediaCommand[]) => {
  for (const c of batch) handle(c);
});
// Loaded (under tsx this takes a while): MediaWorkerPool.start() waits for this before any call.
port.postMessage('ready');
