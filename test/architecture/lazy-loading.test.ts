/**
 * A feature's library is loaded when the feature is used, not at start-up (issue 18: idle
 * resident memory). `npm start` with the defaults — embedded store, no REDIS_URL, no
 * METRICS_PORT, no SMTP_URL — runs with a recorder of every package it loads; after start, after
 * the first requests and after a sign-in none of the optional libraries may be there, and judging
 * a new password must bring zxcvbn in (so the recorder sees lazy loads too).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import { loadedPackages, MODULE_RECORDER } from '../support/loaded-packages.ts';
import { openLoginForm } from '../support/login-form.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import { DEFAULT_BOOTSTRAP, freePort, PASSWORD } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const OPERATOR_TOKEN = 'operator-token-for-the-lazy-loading-test-0123456789';

/** Libraries only a configured or used feature needs. */
const OPTIONAL = [
  /^mongoose$/,
  /^mongodb$/,
  /^@zxcvbn-ts\//,
  /^nodemailer$/,
  /^prom-client$/,
  /^ioredis$/,
  /^rate-limiter-flexible$/,
  /^qrcode$/,
  /^otplib$/,
  /^@otplib\//,
  /^@simplewebauthn\//,
];

const optionalIn = (packages: Set<string>) => [...packages].filter((name) => OPTIONAL.some((pattern) => pattern.test(name)));

describe('libraries load with the feature that needs them', () => {
  let server: ServerProcess;
  let url: string;
  let record: string;
  let cleanup: () => Promise<void>;

  before(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    record = join(dir.path, 'modules.txt');
    // Hashes, not plaintext: a plaintext password in the bootstrap file is judged by the policy at start.
    const passwordHash = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const bootstrap = join(dir.path, 'bootstrap.json');
    await writeFile(
      bootstrap,
      JSON.stringify({
        ...DEFAULT_BOOTSTRAP,
        users: DEFAULT_BOOTSTRAP.users.map(({ password: _password, ...user }) => ({ ...user, password_hash: passwordHash })),
      }),
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = startServerProcess(
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        ISSUER: url,
        DATA_DIR: dir.path,
        BOOTSTRAP_FILE: bootstrap,
        OPERATOR_TOKEN,
        LOG_LEVEL: 'info',
        MODULE_RECORD: record,
      },
      ['--import', MODULE_RECORDER],
    );
    await server.waitForLog((line) => line.msg === 'portcullis listening');
  });

  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await cleanup();
  });

  it('an idle server with the defaults holds none of the optional libraries, and its first requests are answered', async () => {
    const loaded = await loadedPackages(record);
    assert.ok(loaded.has('oidc-provider') && loaded.has('koa'), 'the recorder sees what the server loads');
    assert.deepEqual(optionalIn(loaded), [], 'loaded at start-up');

    // The first requests after start: discovery, JWKS, then a whole sign-in with its pages.
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    assert.equal(((await discovery.json()) as { issuer: string }).issuer, url);
    const jwks = (await (await fetch(`${url}/jwks`)).json()) as { keys: unknown[] };
    assert.ok(jwks.keys.length > 0);
    const form = await openLoginForm(url);
    const signIn = await form.attempt('alice', PASSWORD, { json: true });
    assert.equal(signIn.status, 200, await signIn.clone().text());

    assert.deepEqual(optionalIn(await loadedPackages(record)), [], 'loaded by serving discovery, JWKS and a sign-in');
  });

  it('judging a new password loads zxcvbn, on first use', async () => {
    const response = await fetch(`${url}/admin/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'password' }),
    });
    assert.equal(response.status, 400, 'a weak password is refused: zxcvbn judged it');
    assert.match(await response.text(), /too_weak/);
    assert.ok((await loadedPackages(record)).has('@zxcvbn-ts/core'));
  });
});
