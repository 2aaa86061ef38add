/**
 * The embedded store's promise (README): every write is handed to the OS before the answer that
 * depends on it, so `kill -9` of the process under load loses nothing a client was given. The
 * server runs as its own process; client-credentials (opaque) load runs until the kill, refresh
 * chains rotate until just before it; then the server starts again on the same data directory.
 *
 * The refresh chains stop at an answer rather than at the kill: a rotation in flight when the
 * process dies is legitimately either done or not (the client never learnt which), so the last
 * token of a chain is only well defined once its answer arrived. The kill follows the last of
 * those answers in the same turn of this process's event loop, while the opaque load still runs.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { startServerProcess } from '../support/process.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, freePort, PASSWORD } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const WEB = { id: 'web-app', secret: 'web-app-secret-that-is-long-enough' };
const MACHINE = { id: 'machine', secret: 'machine-secret-that-is-long-enough' };
const RESOURCE_SERVER = { id: 'resource-server', secret: 'resource-server-secret-long-enough' };
const OPAQUE_API = 'https://opaque.example.com';

/** The kill comes once this many opaque tokens were acknowledged (and every chain rotated twice). */
const TOKENS_BEFORE_KILL = 600;
/** Each load worker's upper bound, so the load ends even if the kill never came. */
const MAX_REQUESTS_PER_WORKER = 5_000;
const TOKEN_WORKERS = 8;
const CHAINS = 4;

const basic = (client: { id: string; secret: string }) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function start(dataDir: string, port: number) {
  const server = startServerProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    BOOTSTRAP_FILE: join(dataDir, 'bootstrap.json'),
    PASSWORD_BREACH_CHECK: 'off',
    LOG_LEVEL: 'info',
  });
  cleanups.push(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
  });
  await server.waitForLog((line) => line.msg === 'portcullis listening');
  return server;
}

async function post(url: string, authorization: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Runs `work` over `items` with `width` requests at a time. */
async function eachAtOnce<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe('a crash of the process under write load', () => {
  it('loses no acknowledged opaque access token and no acknowledged refresh token (kill -9, restart)', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    // The resource server may introspect the opaque API's tokens (introspection.test.ts).
    const resources = DEFAULT_BOOTSTRAP.resources.map((resource) =>
      resource.identifier === OPAQUE_API ? { ...resource, introspectors: [RESOURCE_SERVER.id] } : resource,
    );
    await writeFile(join(dir.path, 'bootstrap.json'), JSON.stringify({ ...DEFAULT_BOOTSTRAP, resources }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await start(dir.path, port);
    const tokenEndpoint = `${url}/token`;

    // One sign-in per chain, each in its own browser: separate sessions and grants.
    const web = await discover(url, WEB.id, WEB.secret);
    const chains: Array<{ last: string; rotations: number }> = [];
    for (let n = 0; n < CHAINS; n += 1) {
      const authorization = await startAuthorization(web);
      const tokens = await redeem(web, await new Browserless(url).authorize(authorization.url.href, 'alice', PASSWORD), authorization);
      assert.equal(typeof tokens.refresh_token, 'string');
      chains.push({ last: tokens.refresh_token as string, rotations: 0 });
    }

    const acknowledged: string[] = [];
    let stopChains = false;
    let chainsRunning = CHAINS;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    };
    // The kill: once enough tokens were acknowledged, the chains are told to stop at their next
    // answer, and the last chain to stop kills the server at once.
    const maybeStop = () => {
      if (acknowledged.length >= TOKENS_BEFORE_KILL && chains.every((chain) => chain.rotations >= 2)) stopChains = true;
    };

    const tokenLoad = Array.from({ length: TOKEN_WORKERS }, async () => {
      for (let n = 0; n < MAX_REQUESTS_PER_WORKER; n += 1) {
        let answer: Awaited<ReturnType<typeof post>>;
        try {
          answer = await post(tokenEndpoint, basic(MACHINE), { grant_type: 'client_credentials', scope: 'read', resource: OPAQUE_API });
        } catch {
          return; // The server is gone: this worker's load is over.
        }
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        acknowledged.push(answer.body.access_token as string);
        maybeStop();
      }
    });
    const chainLoad = chains.map(async (chain) => {
      try {
        for (let n = 0; n < MAX_REQUESTS_PER_WORKER && !stopChains; n += 1) {
          const answer = await post(tokenEndpoint, basic(WEB), { grant_type: 'refresh_token', refresh_token: chain.last });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          assert.notEqual(answer.body.refresh_token, chain.last, 'rotated');
          chain.last = answer.body.refresh_token as string;
          chain.rotations += 1;
          maybeStop();
        }
      } finally {
        chainsRunning -= 1;
        if (chainsRunning === 0) kill();
      }
    });
    await Promise.all([...chainLoad, ...tokenLoad]);
    assert.ok(killed, 'the server was killed under load, not after it');
    assert.equal(await first.exited, 'SIGKILL');
    assert.ok(acknowledged.length >= TOKENS_BEFORE_KILL);
    assert.equal(new Set(acknowledged).size, acknowledged.length);

    await start(dir.path, port);
    const inactive: string[] = [];
    await eachAtOnce(acknowledged, 8, async (token) => {
      const answer = await post(`${url}/token/introspection`, basic(RESOURCE_SERVER), { token });
      assert.equal(answer.status, 200);
      if (answer.body.active !== true) inactive.push(token.slice(0, 8));
    });
    assert.deepEqual(inactive, [], `${inactive.length} of ${acknowledged.length} acknowledged tokens are gone`);

    for (const [n, chain] of chains.entries()) {
      const used = await post(tokenEndpoint, basic(WEB), { grant_type: 'refresh_token', refresh_token: chain.last });
      assert.equal(used.status, 200, `chain ${n} after ${chain.rotations} rotations: ${JSON.stringify(used.body)}`);
      const again = await post(tokenEndpoint, basic(WEB), { grant_type: 'refresh_token', refresh_token: chain.last });
      assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant'], `chain ${n}: the last token works exactly once`);
    }
  });
});
