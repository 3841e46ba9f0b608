/**
 * A minimal WASI preview1 host that runs a command-style WebAssembly module (`_start`) entirely in
 * memory: argv in, stdout/stderr and the files it writes out. No host file system, no clock, no
 * sockets: exactly what a batch tool like flite needs (write one WAV file, print a voice list).
 * Synchronous; run it off the main thread for anything slow (see embedded-tts-worker.ts).
 *
 * The file system is one preopened directory `/` holding only the files the module creates.
 * Reading a file it did not write fails with ENOENT; stdin is empty.
 */

export interface WasiRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Files written by the module, by absolute path (`/out.wav`). */
  files: Map<string, Uint8Array>;
}

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOENT = 44;
const ENOSYS = 52;
const FILETYPE_CHARACTER_DEVICE = 2;
const FILETYPE_DIRECTORY = 3;
const FILETYPE_REGULAR_FILE = 4;
const OFLAGS_CREAT = 1;
const OFLAGS_TRUNC = 8;
const ALL_RIGHTS = 0xffff_ffffn;
const PREOPEN_FD = 3;

class ProcExit {
  constructor(readonly code: number) {}
}

interface OpenFile {
  path: string;
  data: Uint8Array;
  size: number;
  position: number;
}

/** Runs `module` once with `args` (args[0] is the program name). */
export function runWasiCommand(module: WebAssembly.Module, args: readonly string[]): WasiRunResult {
  const encoder = new TextEncoder();
  const argBytes = args.map((a) => encoder.encode(`${a}\0`));
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const files = new Map<string, Uint8Array>();
  const open = new Map<number, OpenFile>();
  let nextFd = PREOPEN_FD + 1;
  /** The module's memory, known once it is instantiated (the imports below only run after that). */
  const linked: { memory?: WebAssembly.Memory } = {};
  const view = (): DataView => new DataView(linked.memory!.buffer);
  const bytes = (): Uint8Array => new Uint8Array(linked.memory!.buffer);

  /** The bytes of an iovec list (`ciovec_t[]`: pointer + length pairs). */
  const gather = (iovs: number, count: number): Uint8Array[] => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const ptr = view().getUint32(iovs + i * 8, true);
      const len = view().getUint32(iovs + i * 8 + 4, true);
      parts.push(bytes().slice(ptr, ptr + len));
    }
    return parts;
  };
  const writeToFile = (f: OpenFile, chunk: Uint8Array): void => {
    const end = f.position + chunk.length;
    if (end > f.data.length) {
      const grown = new Uint8Array(Math.max(end, f.data.length * 2, 64 * 1024));
      grown.set(f.data.subarray(0, f.size));
      f.data = grown;
    }
    f.data.set(chunk, f.position);
    f.position = end;
    f.size = Math.max(f.size, end);
  };

  const wasi = {
    args_sizes_get(countPtr: number, sizePtr: number): number {
      view().setUint32(countPtr, argBytes.length, true);
      view().setUint32(
        sizePtr,
        argBytes.reduce((n, a) => n + a.length, 0),
        true,
      );
      return ESUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number): number {
      let at = bufPtr;
      argBytes.forEach((a, i) => {
        view().setUint32(argvPtr + i * 4, at, true);
        bytes().set(a, at);
        at += a.length;
      });
      return ESUCCESS;
    },
    clock_time_get(_id: number, _precision: bigint, timePtr: number): number {
      view().setBigUint64(timePtr, 0n, true); // no clock: synthesis does not depend on the time
      return ESUCCESS;
    },
    fd_close(fd: number): number {
      const f = open.get(fd);
      if (!f) return fd <= 2 ? ESUCCESS : EBADF;
      files.set(f.path, f.data.slice(0, f.size));
      open.delete(fd);
      return ESUCCESS;
    },
    fd_fdstat_get(fd: number, statPtr: number): number {
      const type =
        fd <= 2
          ? FILETYPE_CHARACTER_DEVICE
          : fd === PREOPEN_FD
            ? FILETYPE_DIRECTORY
            : open.has(fd)
              ? FILETYPE_REGULAR_FILE
              : -1;
      if (type < 0) return EBADF;
      const v = view();
      v.setUint8(statPtr, type);
      v.setUint16(statPtr + 2, 0, true);
      v.setBigUint64(statPtr + 8, ALL_RIGHTS, true);
      v.setBigUint64(statPtr + 16, ALL_RIGHTS, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags(): number {
      return ESUCCESS;
    },
    fd_prestat_get(fd: number, prestatPtr: number): number {
      if (fd !== PREOPEN_FD) return EBADF;
      view().setUint8(prestatPtr, 0); // preopentype dir
      view().setUint32(prestatPtr + 4, 1, true); // name length of "/"
      return ESUCCESS;
    },
    fd_prestat_dir_name(fd: number, pathPtr: number, len: number): number {
      if (fd !== PREOPEN_FD || len < 1) return EBADF;
      bytes()[pathPtr] = 0x2f; // "/"
      return ESUCCESS;
    },
    fd_read(fd: number, _iovs: number, _count: number, nreadPtr: number): number {
      if (fd !== 0 && !open.has(fd)) return EBADF;
      view().setUint32(nreadPtr, 0, true); // stdin is empty; files are write-only
      return ESUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      const f = open.get(fd);
      if (!f) return fd <= 2 ? ENOSYS : EBADF;
      const base = whence === 0 ? 0 : whence === 1 ? f.position : whence === 2 ? f.size : NaN;
      const to = base + Number(offset);
      if (!Number.isFinite(to) || to < 0) return EINVAL;
      f.position = to;
      view().setBigUint64(newOffsetPtr, BigInt(to), true);
      return ESUCCESS;
    },
    fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number): number {
      const parts = gather(iovs, count);
      const total = parts.reduce((n, p) => n + p.length, 0);
      if (fd === 1) out.push(...parts);
      else if (fd === 2) err.push(...parts);
      else {
        const f = open.get(fd);
        if (!f) return EBADF;
        for (const p of parts) writeToFile(f, p);
      }
      view().setUint32(nwrittenPtr, total, true);
      return ESUCCESS;
    },
    path_open(
      dirFd: number,
      _dirFlags: number,
      pathPtr: number,
      pathLen: number,
      oflags: number,
      _rightsBase: bigint,
      _rightsInheriting: bigint,
      _fdFlags: number,
      fdPtr: number,
    ): number {
      if (dirFd !== PREOPEN_FD) return EBADF;
      const path = `/${new TextDecoder().decode(bytes().slice(pathPtr, pathPtr + pathLen)).replace(/^\/+/, '')}`;
      const existing = files.get(path);
      if (existing === undefined && (oflags & OFLAGS_CREAT) === 0) return ENOENT;
      const data = existing !== undefined && (oflags & OFLAGS_TRUNC) === 0 ? existing.slice() : new Uint8Array(0);
      const fd = nextFd++;
      open.set(fd, { path, data, size: data.length, position: 0 });
      view().setUint32(fdPtr, fd, true);
      return ESUCCESS;
    },
    proc_exit(code: number): never {
      throw new ProcExit(code);
    },
  };

  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi });
  linked.memory = instance.exports.memory as WebAssembly.Memory;
  let exitCode = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof ProcExit)) throw e;
    exitCode = e.code;
  }
  for (const fd of [...open.keys()]) wasi.fd_close(fd);
  const text = (chunks: Uint8Array[]): string => new TextDecoder().decode(Buffer.concat(chunks));
  return { exitCode, stdout: text(out), stderr: text(err), files };
}
