/** A pino logger whose lines a test can read back (warnings at start-up, for instance). */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/platform/logger.ts';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export function captureLogger(level = 'warn'): { logger: Logger; lines: LogLine[]; warnings(): LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  // pino writes synchronously to a plain stream, so lines are readable as soon as a call returns.
  return { logger: createLogger(level, stream), lines, warnings: () => lines.filter((line) => line.level === 40) };
}
