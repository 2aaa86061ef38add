/** Structured JSON logs (pino). Secrets never reach a log line: known sensitive keys are redacted. */
import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Where lines go: a file or descriptor (stdout by default), written asynchronously. pino's
 * sonic-boom appends each line to its pending string and measures that string's UTF-8 length on
 * the next line, which copies it whole: pending strings of at most 4 KiB (not 16) keep that copy
 * small on the token hot path, where every answer writes an audit line.
 */
export function logDestination(dest: string | number = 1): NodeJS.WritableStream {
  return pino.destination({ dest, sync: false, maxWrite: 4096 }) as unknown as NodeJS.WritableStream;
}

export function createLogger(level: string, destination: NodeJS.WritableStream = logDestination()): Logger {
  return pino(
    {
      level,
      base: { service: 'portcullis' },
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'code', '*.code', 'secret', '*.secret', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
