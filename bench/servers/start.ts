/** Starting the two servers under test, each in its own process on a free loopback port. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchSettings } from '../settings.ts';
import { type ServerChild, startServerChild } from './child.ts';

/** The child entries beside this module: `.ts` when the bench runs from the sources, `.js` from `npm run build`. */
const EXTENSION = import.meta.url.endsWith('.js') ? '.js' : '.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Portcullis as shipped (embedded store, counters in process), or with `redisUrl` its counters in Redis. */
export async function startPortcullis(settings: BenchSettings, redisUrl?: string): Promise<ServerChild> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
  try {
    const child = await startServerChild(redisUrl ? 'portcullis+redis' : 'portcullis', `./portcullis${EXTENSION}`, {
      env: { NODE_ENV: 'production', PORT: String(await freePort()), DATA_DIR: dataDir, REDIS_URL: redisUrl ?? '' },
      cpuProfileDir: settings.cpuProfileDir,
    });
    const stop = child.stop;
    return Object.assign(child, {
      async stop() {
        await stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function startBaseline(settings: BenchSettings): Promise<ServerChild> {
  return startServerChild('baseline', `./baseline${EXTENSION}`, {
    env: { NODE_ENV: 'production', PORT: String(await freePort()) },
    cpuProfileDir: settings.cpuProfileDir,
  });
}
