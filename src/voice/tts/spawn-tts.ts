import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cryptoIds } from '../../shared/ids';
import { ProviderError } from '../provider-error';
import type { TtsProvider } from './tts';
import { WavStreamDecoder } from '../../audio/wav-stream-decoder';

export type LocalTtsEngine = 'espeak-ng' | 'flite';

export interface SpawnTtsOptions {
  engine: LocalTtsEngine;
  /** Path of the binary (default: the engine name on PATH). */
  command?: string;
  /** Words per minute (espeak-ng only). */
  rateWpm?: number;
  timeoutMs?: number;
}

/**
 * Offline TTS by spawning espeak-ng or flite once per sentence. espeak-ng streams its WAV on
 * stdout as it speaks; flite cannot write to a pipe Node created (it opens /dev/stdout, which
 * fails on a socket), so it writes a temporary file that is read when it exits (~80 ms/sentence).
 * Text goes through stdin (espeak-ng) or as one argv entry (flite), never through a shell.
 */
export class SpawnTts implements TtsProvider {
  readonly name: string;
  readonly #o: SpawnTtsOptions;

  constructor(options: SpawnTtsOptions) {
    this.#o = options;
    this.name = options.engine;
  }

  async *synthesize(
    text: string,
    options: { voice: string; signal?: AbortSignal | undefined },
  ): AsyncIterable<Int16Array> {
    const clean = text.replace(/[\r\n]+/g, ' ').trim();
    if (clean === '' || options.signal?.aborted) return;
    const { engine } = this.#o;
    let tmpFile: string | undefined;
    const cmd = this.#o.command ?? engine;
    const args =
      engine === 'espeak-ng'
        ? ['--stdout', '-v', options.voice || 'en-us', ...(this.#o.rateWpm ? ['-s', String(this.#o.rateWpm)] : [])]
        : [
            '-voice',
            options.voice || 'slt',
            '-t',
            ` ${clean}`,
            '-o',
            (tmpFile = join(tmpdir(), `tp-flite-${cryptoIds.uuid()}.wav`)),
          ];
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', kill, { once: true });
    const timer = setTimeout(kill, this.#o.timeoutMs ?? 10_000);
    timer.unref();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    const exited = new Promise<number | null>((resolve) => {
      child.on('error', () => resolve(-1));
      child.on('close', (code) => resolve(code));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(engine === 'espeak-ng' ? clean : '');
    const decoder = new WavStreamDecoder();
    try {
      for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
        if (options.signal?.aborted) return;
        const samples = decoder.push(chunk);
        if (samples.length > 0) yield samples;
      }
      const code = await exited;
      if (options.signal?.aborted) return;
      if (tmpFile !== undefined && code === 0) {
        const samples = decoder.push(await readFile(tmpFile));
        if (samples.length > 0) yield samples;
      }
      const tail = decoder.end();
      if (tail.length > 0) yield tail;
      if (code !== 0 || !decoder.started)
        throw new ProviderError(
          'tts',
          'tts_engine_failed',
          `${engine} failed (exit ${code}): ${stderr.trim().slice(0, 200)}`,
        );
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      kill();
      if (tmpFile !== undefined) await rm(tmpFile, { force: true });
    }
  }
}
