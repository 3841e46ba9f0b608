/**
 * A far end that only listens, in a process of its own (fork with `--import tsx`), so what it
 * measures is what a receiver sees, not the sender's event loop: binds UDP ports on loopback and
 * records when each RTP packet arrived (epoch ms from performance.timeOrigin + now, comparable
 * across processes) and its sequence number.
 *
 * With `speechUlaw` (8 kHz µ-law bytes) each port also plays that speech, looped, in 20 ms PCMU
 * packets back to wherever the first packet it received came from (a trunk talking to us).
 *
 * With `play` the given ports play that speech to fixed destinations instead (legs of a relay);
 * every played packet's send time is kept (`sentMs`, packet k has sequence number k + 1), so what a
 * relay adds to the spacing can be told apart from the player's own.
 *
 * IPC: {cmd:'bind', count, speechUlaw?} → {ports}; {cmd:'play', speechUlaw, routes} → {ports};
 * {cmd:'report'} → {streams: [{port, arrivalsMs, seqs, sentMs}]}; {cmd:'exit'}. Use
 * `startArrivalRecorder()` from the parent.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';

export interface ArrivalStream {
  port: number;
  arrivalsMs: number[];
  seqs: number[];
  /** When this port sent each packet it played (packet k: sequence number k + 1). */
  sentMs: number[];
}

/** Port `port` (from bind) plays toward `address`:`toPort`. */
export interface PlayRoute {
  port: number;
  address: string;
  toPort: number;
}

type Request =
  | { cmd: 'bind'; count: number; speechUlaw?: number[] }
  | { cmd: 'play'; speechUlaw?: number[]; routes: PlayRoute[] }
  | { cmd: 'report' }
  | { cmd: 'exit' };
type Reply = { ports: number[] } | { streams: ArrivalStream[] };

const epochMs = (): number => performance.timeOrigin + performance.now();

/** One schedule-locked loop sends the next speech frame on every playing socket every 20 ms. */
const GROUPS = 4;

/**
 * A growing series of numbers in a typed array: recording a packet allocates nothing (the
 * recorder's own garbage collections stalled every stream's timestamps at once).
 */
class Series {
  #data = new Float64Array(2048);
  length = 0;

  push(v: number): void {
    if (this.length === this.#data.length) {
      const grown = new Float64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.length++] = v;
  }

  toArray(): number[] {
    return Array.from(this.#data.subarray(0, this.length));
  }
}

interface Recording {
  port: number;
  arrivalsMs: Series;
  seqs: Series;
  sentMs: Series;
}

const toStream = (r: Recording): ArrivalStream => ({
  port: r.port,
  arrivalsMs: r.arrivalsMs.toArray(),
  seqs: r.seqs.toArray(),
  sentMs: r.sentMs.toArray(),
});

type Player = (socket: Socket, to: { address: string; port: number }, stream: Recording) => void;

function startPlayer(speech: Uint8Array): Player {
  const playing: Array<{
    socket: Socket;
    to: { address: string; port: number };
    seq: number;
    frame: number;
    packet: Buffer;
    sentMs: Series;
  }> = [];
  const frames = Math.max(1, Math.floor(speech.length / 160));
  const start = performance.now();
  let slot = 0;
  // Streams are spread over GROUPS sub-slots of the 20 ms: each stream still sends every 20 ms,
  // but a loop sends a quarter of them, so packets arriving meanwhile wait less for their timestamp.
  const tick = (): void => {
    const group = slot % GROUPS;
    slot++;
    for (let i = group; i < playing.length; i += GROUPS) {
      const p = playing[i]!;
      // One buffer per stream: dgram sends it on the next microtask, long before the next tick.
      const packet = p.packet;
      packet[0] = 0x80;
      packet.writeUInt16BE(p.seq, 2);
      packet.writeUInt32BE((p.frame * 160) >>> 0, 4);
      packet.writeUInt32BE(0x5eed0000 + p.to.port, 8);
      packet.set(speech.subarray((p.frame % frames) * 160, (p.frame % frames) * 160 + 160), 12);
      p.sentMs.push(epochMs());
      p.socket.send(packet, p.to.port, p.to.address);
      p.seq = (p.seq + 1) & 0xffff;
      p.frame++;
    }
    setTimeout(tick, Math.max(1, Math.floor(start + (slot * 20) / GROUPS - performance.now())));
  };
  setTimeout(tick, 20);
  return (socket, to, stream) =>
    playing.push({ socket, to, seq: 1, frame: 0, packet: Buffer.alloc(12 + 160), sentMs: stream.sentMs });
}

function child(): void {
  const sockets: Array<{ socket: Socket; stream: Recording }> = [];
  let play: Player | undefined;
  process.on('message', (m: Request) => {
    if (m.cmd === 'exit') {
      for (const s of sockets) s.socket.close();
      process.exit(0);
    }
    if (m.cmd === 'report') {
      process.send!({ streams: sockets.map((s) => toStream(s.stream)) } satisfies Reply);
      return;
    }
    if (m.speechUlaw) play ??= startPlayer(Uint8Array.from(m.speechUlaw));
    if (m.cmd === 'play') {
      for (const r of m.routes) {
        const s = sockets.find((x) => x.stream.port === r.port);
        if (s) play!(s.socket, { address: r.address, port: r.toPort }, s.stream);
      }
      process.send!({ ports: m.routes.map((r) => r.port) } satisfies Reply);
      return;
    }
    const player = m.speechUlaw ? play : undefined;
    void Promise.all(
      Array.from(
        { length: m.count },
        () =>
          new Promise<number>((resolve) => {
            const socket = createSocket('udp4');
            const stream: Recording = { port: 0, arrivalsMs: new Series(), seqs: new Series(), sentMs: new Series() };
            socket.on('message', (msg, rinfo) => {
              if (player && stream.arrivalsMs.length === 0)
                player(socket, { address: rinfo.address, port: rinfo.port }, stream);
              stream.arrivalsMs.push(epochMs());
              stream.seqs.push(msg.length >= 4 ? (msg[2]! << 8) | msg[3]! : -1);
            });
            socket.bind(0, '127.0.0.1', () => {
              stream.port = socket.address().port;
              sockets.push({ socket, stream });
              resolve(stream.port);
            });
          }),
      ),
    ).then((ports) => process.send!({ ports } satisfies Reply));
  });
}

export interface ArrivalRecorder {
  /** `speechUlaw`: also play this back to each port's first sender. */
  bind(count: number, speechUlaw?: Uint8Array): Promise<number[]>;
  /**
   * Bound ports start playing speech to the given destinations (from the next 20 ms tick): the
   * `speechUlaw` of the first call that gives it (and of a speaking bind).
   */
  play(routes: PlayRoute[], speechUlaw?: Uint8Array): Promise<void>;
  report(): Promise<ArrivalStream[]>;
  close(): Promise<void>;
}

/**
 * Forks the recorder process. `realtimePriority` (default 20, when permitted: root): SCHED_FIFO
 * for all of its threads, so a busy machine delays its timestamps little (best effort). Above
 * the media workers' 10 it also preempts them; the capacity bench puts it at their level.
 * 0: the normal priority.
 */
export function startArrivalRecorder(o: { realtimePriority?: number } = {}): ArrivalRecorder {
  const proc: ChildProcess = fork(new URL(import.meta.url).pathname, ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const priority = o.realtimePriority ?? 20;
  if (proc.pid !== undefined && priority > 0)
    spawnSync('chrt', ['-f', '-a', '-p', String(priority), String(proc.pid)], { stdio: 'ignore' });
  const ask = <T extends Reply>(req: Request): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error('arrival recorder exited'));
      proc.once('exit', onExit);
      proc.once('message', (m: T) => {
        proc.off('exit', onExit);
        resolve(m);
      });
      proc.send(req);
    });
  return {
    bind: async (count, speechUlaw) =>
      (
        await ask<{ ports: number[] }>({
          cmd: 'bind',
          count,
          ...(speechUlaw ? { speechUlaw: Array.from(speechUlaw) } : {}),
        })
      ).ports,
    play: async (routes, speechUlaw) => {
      await ask<{ ports: number[] }>({
        cmd: 'play',
        routes,
        ...(speechUlaw ? { speechUlaw: Array.from(speechUlaw) } : {}),
      });
    },
    report: async () => (await ask<{ streams: ArrivalStream[] }>({ cmd: 'report' })).streams,
    close: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.send({ cmd: 'exit' } satisfies Request);
      }),
  };
}

/** The current time on the recorder's scale (epoch ms, sub-millisecond). */
export const arrivalClockMs = epochMs;

/** |inter-arrival − frameMs| of consecutive packets that arrived in [fromMs, toMs]. */
export function interArrivalDeviations(s: ArrivalStream, fromMs: number, toMs: number, frameMs = 20): number[] {
  const out: number[] = [];
  for (let i = 1; i < s.arrivalsMs.length; i++) {
    const t = s.arrivalsMs[i]!;
    if (t < fromMs || t > toMs) continue;
    out.push(Math.abs(t - s.arrivalsMs[i - 1]! - frameMs));
  }
  return out;
}

if (process.argv.includes('--child')) child();
