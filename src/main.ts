/** Entry point: read the configuration, build the server, listen, stop cleanly on a signal. */
import { createPortcullis, type Portcullis } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config/index.ts';
import { createLogger, type Logger } from './platform/logger.ts';

/** EX_SOFTWARE (sysexits.h): the process hit a bug, not a bad configuration. */
const EXIT_INTERNAL_ERROR = 70;
/** How long a crash shutdown may spend closing before the process exits anyway. */
const CRASH_CLOSE_TIMEOUT_MS = 10_000;

/**
 * A promise rejected with no handler (or an exception nothing caught) means some code path is
 * broken, and the process state is no longer known to be sound. Node would print the error and
 * die; here it becomes one structured log line, then a shutdown that closes what it can (the
 * listener, the key watch, the store's files), then a non-zero exit so a supervisor restarts it.
 */
function exitOnCrash(logger: Logger, portcullis: () => Portcullis | undefined): void {
  let crashing = false;
  const crash = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, `${kind}: shutting down`);
    if (crashing) return;
    crashing = true;
    const exit = () => process.exit(EXIT_INTERNAL_ERROR);
    setTimeout(exit, CRASH_CLOSE_TIMEOUT_MS).unref();
    const running = portcullis();
    if (!running) return exit();
    running.close().then(exit, (closeError: unknown) => {
      logger.error({ err: closeError }, 'shutdown after a crash did not complete');
      exit();
    });
  };
  process.on('unhandledRejection', crash('unhandled rejection'));
  process.on('uncaughtException', crash('uncaught exception'));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`portcullis: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running: Portcullis | undefined;
  exitOnCrash(logger, () => running);
  const portcullis = await createPortcullis(config, { logger });
  running = portcullis;
  const url = await portcullis.listen();
  logger.info({ url, issuer: config.issuer, store: portcullis.store.kind, env: config.env }, 'portcullis listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await portcullis.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`portcullis: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
