import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Process instance ids written to calls.owner_instance: `<host>/<pid>/<uuid>`, where `<host>` is
 * the hostname plus, on Linux, the pid namespace (`host@pid:[4026531836]`), so two containers that
 * share a hostname but not a pid namespace never judge each other's pids.
 */
export function newInstanceId(uuid: string, pid = process.pid, host = localHostKey()): string {
  return `${host}/${pid}/${uuid}`;
}

export function localHostKey(): string {
  let ns = '';
  try {
    ns = `@${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    // not Linux: the hostname alone
  }
  return `${hostname()}${ns}`;
}

export interface ParsedInstance {
  host: string;
  pid: number;
  uuid: string;
}

export function parseInstanceId(instance: string): ParsedInstance | undefined {
  const m = /^(.+)\/(\d+)\/([^/]+)$/.exec(instance);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { host: m[1], pid: Number(m[2]), uuid: m[3] };
}

/**
 * True only when `instance` surely belongs to a process that no longer exists: same host key as
 * ours, another pid, and that pid is not alive (`kill(pid, 0)` → ESRCH). Anything else (another
 * host, our own pid, an id in another format, a pid reused by some other process) is "don't know":
 * the heartbeat staleness rule decides.
 */
export function isDeadLocalInstance(
  instance: string,
  self: { host: string; pid: number } = { host: localHostKey(), pid: process.pid },
  isPidAlive: (pid: number) => boolean = pidAlive,
): boolean {
  const p = parseInstanceId(instance);
  if (!p || p.host !== self.host || p.pid === self.pid) return false;
  return !isPidAlive(p.pid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
