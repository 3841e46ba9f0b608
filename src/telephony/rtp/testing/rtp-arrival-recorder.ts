/**
 * A far end that only listens, in a process of its own (fork with `--import tsx`), so what it
 * measures is what a receiver sees, not the sender's event loop: binds UDP ports on loopback and
 * records when each RTP packet arrived (epoch ms from performance.timeOrigin + now, comparable
 * across processes) and its sequence number.
 *
 * IPC: {cmd:'bind', count} → {ports}; {cmd:'report'} → {streams: [{port, arrivalsMs, seqs}]};
 * {cmd:'exit'}. Use `startArrivalRecorder()` from the parent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';

export interface ArrivalStream {
  port: number;
  arrivalsMs: number[];
  seqs: number[];
}

type Request = { cmd: 'bind'; count: number } | { cmd: 'report' } | { cmd: 'exit' };
type Reply = { ports: number[] } | { streams: ArrivalStream[] };

const epochMs = (): number => performance.timeOrigin + performance.now();

function child(): void {
  const sockets: Array<{ socket: Socket; stream: ArrivalStream }> = [];
  process.on('message', (m: Request) => {
    if (m.cmd === 'exit') {
      for (const s of sockets) s.socket.close();
      process.exit(0);
    }
    if (m.cmd === 'report') {
      process.send!({ streams: sockets.map((s) => s.stream) } satisfies Reply);
      return;
    }
    void Promise.all(
      Array.from(
        { length: m.count },
        () =>
          new Promise<number>((resolve) => {
            const socket = createSocket('udp4');
            const stream: ArrivalStream = { port: 0, arrivalsMs: [], seqs: [] };
            socket.on('message', (msg) => {
              stream.arrivalsMs.push(epochMs());
              stream.seqs.push(msg.length >= 4 ? msg.readUInt16BE(2) : -1);
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
  bind(count: number): Promise<number[]>;
  report(): Promise<ArrivalStream[]>;
  close(): Promise<void>;
}

/** Forks the recorder process. */
export function startArrivalRecorder(): ArrivalRecorder {
  const proc: ChildProcess = fork(new URL(import.meta.url).pathname, ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
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
    bind: async (count) => (await ask<{ ports: number[] }>({ cmd: 'bind', count })).ports,
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
