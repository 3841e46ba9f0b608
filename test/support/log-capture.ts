import { Writable } from 'node:stream';
import { createLogger, type Logger, type LogLevel } from '../../src/shared/log';

export interface CapturedLog {
  log: Logger;
  /** Every line written so far, parsed. */
  lines(): Record<string, any>[];
  /** Lines with this message (exact). */
  withMessage(msg: string): Record<string, any>[];
}

/** A real pino logger (createLogger) whose JSON lines are kept for assertions. */
export function captureLog(level: LogLevel = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const lines = (): Record<string, any>[] =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
  return {
    log: createLogger({ level, destination: stream }),
    lines,
    withMessage: (msg) => lines().filter((l) => l.msg === msg),
  };
}
