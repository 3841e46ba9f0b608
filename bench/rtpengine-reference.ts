/**
 * The C reference media path of the capacity bench: Debian's rtpengine (userspace forwarding,
 * `--table=-1`) relaying each call's two RTP streams, driven over its ng control protocol
 * (bencoded dictionaries over UDP, each request prefixed with a cookie the reply echoes) the way
 * a SIP proxy drives it: `offer` with the caller's SDP, `answer` with the callee's, `delete`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { bdecode, bencode, type Bencoded } from './bencode';

type Dict = { [key: string]: Bencoded };

/** Where rtpengine expects a leg's RTP (from the SDP it returned). */
export interface RelayLeg {
  address: string;
  port: number;
}

export const rtpengineInstalled = (): boolean => spawnSync('rtpengine', ['--version']).status === 0;

const sdp = (port: number, session: number): string =>
  [
    'v=0',
    `o=- ${session} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

function legOf(answer: Dict): RelayLeg {
  if (answer.result !== 'ok') throw new Error(`rtpengine: ${String(answer['error-reason'] ?? answer.result)}`);
  const text = String(answer.sdp);
  const port = /^m=audio (\d+)/m.exec(text)?.[1];
  const address = /^c=IN IP4 (\S+)/m.exec(text)?.[1];
  if (!port || !address) throw new Error(`rtpengine returned an SDP without audio: ${text}`);
  return { address, port: Number(port) };
}

export class Rtpengine {
  readonly #proc: ChildProcess;
  readonly #socket: Socket;
  readonly #ngPort: number;
  readonly #pending = new Map<string, (d: Dict) => void>();
  #cookie = 0;
  #stderr = '';

  private constructor(proc: ChildProcess, socket: Socket, ngPort: number) {
    this.#proc = proc;
    this.#socket = socket;
    this.#ngPort = ngPort;
    proc.stderr?.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    socket.on('message', (msg) => {
      const space = msg.indexOf(0x20);
      const cookie = msg.toString('latin1', 0, space);
      const reply = this.#pending.get(cookie);
      if (!reply) return;
      this.#pending.delete(cookie);
      reply(bdecode(msg, space + 1).value as Dict);
    });
  }

  /**
   * Starts the daemon on loopback with RTP ports in [portMin, portMax]; `realtime`: under
   * SCHED_FIFO 10 like our media workers (all its threads inherit it), when permitted.
   */
  static async start(o: { portMin: number; portMax: number; ngPort: number; realtime: boolean }): Promise<Rtpengine> {
    const args = [
      '--config-file=none',
      '--foreground',
      '--log-stderr',
      '--log-level=4',
      '--table=-1',
      '--interface=127.0.0.1',
      `--listen-ng=127.0.0.1:${o.ngPort}`,
      `--port-min=${o.portMin}`,
      `--port-max=${o.portMax}`,
    ];
    const [cmd, pre] = o.realtime ? ['chrt', ['-f', '10', 'rtpengine']] : ['rtpengine', []];
    const proc = spawn(cmd, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const engine = new Rtpengine(proc, socket, o.ngPort);
    for (let attempt = 0; ; attempt++) {
      const pong = await engine.ng({ command: 'ping' }, 200).catch(() => undefined);
      if (pong?.result === 'pong') return engine;
      if (attempt === 25 || proc.exitCode !== null) {
        await engine.close();
        throw new Error(`rtpengine did not start: ${engine.#stderr}`);
      }
    }
  }

  get pid(): number {
    return this.#proc.pid ?? 0;
  }

  /** CPU time the daemon used so far (all threads), in ms. */
  cpuMs(): number {
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ = 100
  }

  rssKb(): number {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1] ?? 0);
  }

  ng(command: Dict, timeoutMs = 2000): Promise<Dict> {
    const cookie = `c${++this.#cookie}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(cookie);
        reject(new Error(`rtpengine: no reply to ${String(command.command)}`));
      }, timeoutMs);
      this.#pending.set(cookie, (d) => {
        clearTimeout(timer);
        resolve(d);
      });
      this.#socket.send(Buffer.concat([Buffer.from(`${cookie} `), bencode(command)]), this.#ngPort, '127.0.0.1');
    });
  }

  /**
   * Sets up one relayed call: leg A receives on `aPort`, leg B on `bPort`. Returns where each leg
   * must send: A → `toB` (rtpengine forwards to bPort), B → `toA` (forwarded to aPort).
   */
  async relay(callId: string, aPort: number, bPort: number): Promise<{ toA: RelayLeg; toB: RelayLeg }> {
    const offer = await this.ng({ command: 'offer', 'call-id': callId, 'from-tag': 'a', sdp: sdp(aPort, 1) });
    const toA = legOf(offer); // the SDP B gets: B sends there, it reaches A
    const answer = await this.ng({
      command: 'answer',
      'call-id': callId,
      'from-tag': 'a',
      'to-tag': 'b',
      sdp: sdp(bPort, 2),
    });
    return { toA, toB: legOf(answer) };
  }

  async remove(callId: string): Promise<void> {
    await this.ng({ command: 'delete', 'call-id': callId, 'from-tag': 'a' }).catch(() => undefined);
  }

  close(): Promise<void> {
    this.#socket.close();
    return new Promise((resolve) => {
      if (this.#proc.exitCode !== null || this.#proc.signalCode !== null) return resolve();
      this.#proc.once('exit', () => resolve());
      this.#proc.kill('SIGTERM');
    });
  }
}
