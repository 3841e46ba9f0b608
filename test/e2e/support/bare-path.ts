import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The speech packages a fresh Debian machine does not have (`npm test` installs them for the other tests). */
export const SPEECH_PROGRAMS = ['espeak-ng', 'flite', 'sox'] as const;

/** Where `program` is on the current PATH (the test's own). */
function which(program: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, program);
    if (existsSync(p)) return p;
  }
  throw new Error(`${program} is not on PATH`);
}

/**
 * A PATH holding only `programs` (symlinks in `<dir>/bin`): what a server started with it can run
 * is what a fresh machine with just Node (and those programs) has. Throws if a speech program is
 * still reachable through it.
 */
export function barePath(dir: string, programs: string[]): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const p of programs) symlinkSync(p === 'node' ? process.execPath : which(p), join(bin, p));
  for (const speech of SPEECH_PROGRAMS) {
    const r = spawnSync(speech, ['--help'], { env: { PATH: bin } });
    if (!/ENOENT/.test(String(r.error))) throw new Error(`${speech} is reachable through the bare PATH ${bin}`);
  }
  return bin;
}
