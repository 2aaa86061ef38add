/** Entry point: read the configuration, build the server, listen, stop cleanly on a signal. */
import { createPortcullis } from './app.ts';
import { createLogger } from './audit/logger.ts';
import { type Config, ConfigError, loadConfig } from './config/index.ts';

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
  const portcullis = await createPortcullis(config, { logger });
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
