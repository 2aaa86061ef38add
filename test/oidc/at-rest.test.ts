/**
 * What the embedded store's files give away to someone who can read them (review finding 9):
 * owner-only modes, bearer values only as digests, client secrets sealed, and an upgrade from
 * files written before all of this signs no one out.
 */
import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { createPortcullis } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { bearerKey, KEYED_BY } from '../../src/oidc/bearer-ids.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { ModelPayload, Store } from '../../src/storage/port.ts';
import { Browserless } from '../support/browserless.ts';
import { signIn } from '../support/families.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, freePort, startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const MACHINE_SECRET = 'machine-secret-that-is-long-enough';
const WEB_SECRET = 'web-app-secret-that-is-long-enough';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function dataDir(): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.cleanup);
  return dir.path;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** Every store file in the directory, as text (the test's bootstrap.json is not the store's). */
async function storeFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(dir)) {
    if (name.endsWith('.db') || name.endsWith('.db~')) files.set(name, await readFile(join(dir, name), 'utf8'));
  }
  assert.ok(files.size > 10, 'the store files are there');
  return files;
}

async function filesContaining(dir: string, value: string): Promise<string[]> {
  return [...(await storeFiles(dir))].filter(([, text]) => text.includes(value)).map(([name]) => name);
}

// The device pages are oidc-provider's own forms (as in test/oidc/device.test.ts).
function formFields(html: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[match[1] as string] = match[2] as string;
  return fields;
}

function formAction(html: string, formId: string): string {
  const id = formId.replace('.', '\\.');
  return (new RegExp(`<form[^>]*id="${id}"[^>]*action="([^"]+)"`).exec(html)?.[1] ??
    new RegExp(`<form[^>]*action="([^"]+)"[^>]*id="${id}"`).exec(html)?.[1]) as string;
}

const machine = (url: string) => discover(url, 'machine', MACHINE_SECRET, oidc.ClientSecretPost(MACHINE_SECRET));

/** Rewrites a record the way the previous release stored it: under its raw id, ids in clear. */
async function writeAsBefore(store: Store, model: string, rawId: string, rawIds: Map<string, string>): Promise<void> {
  const target = store.model(model);
  const stored = await target.find(bearerKey(rawId));
  assert.ok(stored, `${model} is stored under its digest`);
  const { [KEYED_BY]: _keyedBy, sealedId: _sealedId, ...payload } = stored as ModelPayload & { sealedId?: string };
  const legacy: ModelPayload = { ...payload, jti: rawId };
  if (typeof payload.rotatedFrom === 'string') legacy.rotatedFrom = rawIds.get(payload.rotatedFrom) ?? payload.rotatedFrom;
  await target.upsert(rawId, legacy, (payload.exp as number) - Math.floor(Date.now() / 1000));
  await target.destroy(bearerKey(rawId));
}

describe('the embedded store at rest', () => {
  it('a fresh DATA_DIR is created readable by the server user only (directory 0700, files 0600)', async () => {
    const parent = await tempDir();
    cleanups.push(parent.cleanup);
    const dataDir = join(parent.path, 'data');
    const bootstrap = join(parent.path, 'bootstrap.json');
    await writeFile(bootstrap, JSON.stringify(DEFAULT_BOOTSTRAP));
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      BOOTSTRAP_FILE: bootstrap,
      LOG_LEVEL: 'silent',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    });
    const portcullis = await createPortcullis(config);
    try {
      const url = await portcullis.listen(port, '127.0.0.1');
      const web = await discover(url, 'web-app', WEB_SECRET);
      const tokens = await signIn({ url } as TestServer, web);
      await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    } finally {
      await portcullis.close();
    }
    assert.equal(await modeOf(dataDir), 0o700, 'DATA_DIR');
    const names = await readdir(dataDir);
    assert.ok(names.includes('oidc-RefreshToken.db') && names.includes('dev-secrets.json'));
    for (const name of names) {
      // The audit trail's day files sit in their own directory (DATA_DIR/audit, issue 17).
      if ((await stat(join(dataDir, name))).isDirectory()) {
        assert.equal(await modeOf(join(dataDir, name)), 0o700, name);
        for (const inner of await readdir(join(dataDir, name))) assert.equal(await modeOf(join(dataDir, name, inner)), 0o600, `${name}/${inner}`);
      } else {
        assert.equal(await modeOf(join(dataDir, name)), 0o600, name);
      }
    }
    assert.ok(
      (await readdir(join(dataDir, 'audit'))).some((name) => name.endsWith('.ndjson')),
      'the sign-in was stored in a day file',
    );
  });

  it('a DATA_DIR left readable by others is restricted at start, with a warning', async () => {
    let server = await startServer({ dataDir: await dataDir() });
    await server.close();
    await chmod(server.dataDir, 0o755);
    await chmod(join(server.dataDir, 'oidc-Client.db'), 0o644);
    await chmod(join(server.dataDir, 'accounts.db'), 0o666);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startServer({ dataDir: server.dataDir, options: { logger: createLogger('warn', sink) } });
    await server.close();
    assert.equal(await modeOf(server.dataDir), 0o700);
    assert.equal(await modeOf(join(server.dataDir, 'oidc-Client.db')), 0o600);
    assert.equal(await modeOf(join(server.dataDir, 'accounts.db')), 0o600);
    assert.ok(
      lines.some((line) => line.includes('DATA_DIR was readable by other users') && line.includes('accounts.db 0666 -> 0600')),
      lines.join(''),
    );
  });

  describe('bearer values and secrets', () => {
    let server: TestServer;
    after(() => server?.close());

    it('a refresh token, access token, code or session id read from disk is not in any store file', async () => {
      server = await startServer({ dataDir: await dataDir() });
      const web = await discover(server.url, 'web-app', WEB_SECRET);
      const browser = new Browserless(server.url);
      const start = await startAuthorization(web);
      const callback = await browser.authorize(start.url.href, 'alice', 'correct horse battery staple');
      const code = callback.searchParams.get('code') as string;
      const first = await oidc.authorizationCodeGrant(web, callback, {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
      const cc = await oidc.clientCredentialsGrant(await machine(server.url));
      const sessionId = browser.jar.get('_session');
      assert.ok(sessionId, 'a browser session');
      // A new interaction while signed in refers to the browser session (Interaction session.cookie).
      const again = await browser.follow((await startAuthorization(web, { prompt: 'login' })).url.href);
      assert.match(await again.response.text(), /name="password"/);
      const values = { code, sessionId, first: first.refresh_token, second: second.refresh_token, access: second.access_token, cc: cc.access_token };
      for (const [what, value] of Object.entries(values)) {
        assert.ok(value && value.length >= 20, what);
        assert.deepEqual(await filesContaining(server.dataDir, value), [], `${what} is not stored in clear`);
      }
      // What is on disk is no credential: the digest is refused where the value is accepted.
      await assert.rejects(
        oidc.refreshTokenGrant(web, bearerKey(second.refresh_token as string)),
        (error: { error?: string }) => error.error === 'invalid_grant',
      );
      assert.ok((await filesContaining(server.dataDir, bearerKey(second.refresh_token as string))).includes('oidc-RefreshToken.db'));
      assert.ok((await oidc.refreshTokenGrant(web, second.refresh_token as string)).access_token);
    });

    it('a device code is not in any store file while the person confirms it, and the device still gets tokens', async () => {
      const tv = await discover(server.url, 'tv');
      const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid' });
      const browser = new Browserless(server.url);
      let html = await (await browser.follow(device.verification_uri)).response.text();
      html = await (
        await browser.postForm(formAction(html, 'op.deviceInputForm'), { ...formFields(html, 'op.deviceInputForm'), user_code: device.user_code })
      ).text();
      const confirmed = await browser.postForm(formAction(html, 'op.deviceConfirmForm'), formFields(html, 'op.deviceConfirmForm'));
      assert.equal(confirmed.status, 303);
      // The interaction now refers to the device code (the device resume looks it up by it).
      assert.deepEqual(await filesContaining(server.dataDir, device.device_code), []);
      const done = await browser.authorizeUntilPage(confirmed.headers.get('location') as string, 'alice', 'correct horse battery staple');
      assert.match(done, /Device connected/);
      assert.ok((await oidc.pollDeviceAuthorizationGrant(tv, device)).access_token);
      assert.deepEqual(await filesContaining(server.dataDir, device.device_code), []);
    });

    it('a client secret is not in oidc-Client.db in clear, and client_credentials still works after a restart', async () => {
      assert.ok((await oidc.clientCredentialsGrant(await machine(server.url))).access_token);
      server = await server.restart();
      assert.ok((await oidc.clientCredentialsGrant(await machine(server.url))).access_token, 'the sealed secret opens after a restart');
      const clientFile = await readFile(join(server.dataDir, 'oidc-Client.db'), 'utf8');
      assert.ok(clientFile.includes('"client_id\\":\\"machine\\"'), 'the client is there');
      for (const client of DEFAULT_BOOTSTRAP.clients) {
        if (client.client_secret) assert.deepEqual(await filesContaining(server.dataDir, client.client_secret), [], client.client_id);
      }
    });
  });

  it('a refresh token, a session and a client stored by the previous release keep working and are re-keyed', async () => {
    let server = await startServer({ dataDir: await dataDir() });
    let running = true;
    cleanups.unshift(async () => {
      if (running) await server.close();
    });
    const web = await discover(server.url, 'web-app', WEB_SECRET);
    const browser = new Browserless(server.url);
    const first = await signIn(server, web, 'alice', browser);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    const sessionId = browser.jar.get('_session') as string;
    const [used, live] = [first.refresh_token as string, second.refresh_token as string];

    // The files as today's release leaves them: raw ids, a clear `rotatedFrom`, a clear secret.
    const { store } = server.portcullis;
    const rawIds = new Map([
      [bearerKey(used), used],
      [bearerKey(live), live],
    ]);
    await writeAsBefore(store, 'RefreshToken', used, rawIds);
    await writeAsBefore(store, 'RefreshToken', live, rawIds);
    await writeAsBefore(store, 'Session', sessionId, rawIds);
    const machineRecord = await store.model('Client').find('machine');
    await store.model('Client').upsert('machine', { ...machineRecord, client_secret: MACHINE_SECRET });
    assert.ok(await store.model('RefreshToken').find(live), 'stored under the raw id, as before');
    server = await server.restart();

    const again = await discover(server.url, 'web-app', WEB_SECRET);
    const third = await oidc.refreshTokenGrant(again, live);
    assert.ok(third.access_token, 'the refresh token from before the upgrade works');
    const landed = await browser.follow((await startAuthorization(again, { scope: 'openid', prompt: '' })).url.href);
    assert.ok(new URL(landed.url).searchParams.get('code'), 'the browser session from before the upgrade is still signed in');
    assert.ok((await oidc.clientCredentialsGrant(await machine(server.url))).access_token, 'the client from before the upgrade works');
    // Re-keyed: found by digest now, and reuse detection still follows the family's chain.
    const rekeyed = server.portcullis.store.model('RefreshToken');
    assert.equal(await rekeyed.find(live), undefined);
    assert.equal((await rekeyed.find(bearerKey(live)))?.rotatedFrom, bearerKey(used));
    await assert.rejects(oidc.refreshTokenGrant(again, used), (error: { error?: string }) => error.error === 'invalid_grant');
    await assert.rejects(
      oidc.refreshTokenGrant(again, third.refresh_token as string),
      (error: { error?: string }) => error.error === 'invalid_grant',
      'replaying the old token revoked the family',
    );

    running = false;
    await server.close(); // compacts: the old lines are rewritten away
    for (const [what, value] of Object.entries({ used, live, sessionId, secret: MACHINE_SECRET })) {
      assert.deepEqual(await filesContaining(server.dataDir, value), [], `${what} is gone from the files`);
    }
  });
});
