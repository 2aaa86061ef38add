/**
 * The documented first run (docs/admin.md "First run"), walked as a person would: a server on an
 * empty DATA_DIR with no bootstrap file and no OPERATOR_TOKEN generates its break-glass token and
 * says how to create the first administrator; `users add` (a child process beside it, password on
 * stdin) finds that token by itself; the new person signs in at /account and sets up an
 * authenticator there in Chromium; `login` (device flow) gets their own admin token; `users list`
 * works with it, and what they change is audited as them, not as the operator.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createPortcullis, type Portcullis } from '../../src/app.ts';
import { readCachedToken, tokenCachePath } from '../../src/cli/token-cache.ts';
import { DEV_SECRETS_FILE } from '../../src/config/dev-secrets.ts';
import { loadConfig } from '../../src/config/index.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { captureLogger } from '../support/log-capture.ts';
import { TestClock, totpAt } from '../support/mfa.ts';
import { submits } from '../support/pages.ts';
import { freePort } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const PASSWORD = 'the quiet passphrase of the first run';

/** `node src/cli/index.ts …` with `stdin` on a real pipe; output can be waited for while it runs. */
function cliProcess(env: Record<string, string>, argv: string[], stdin = '') {
  const child = spawn(process.execPath, ['src/cli/index.ts', ...argv], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const seen = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    seen();
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    seen();
  });
  child.stdin.end(stdin);
  const done = new Promise<{ code: number; out: string; err: string }>((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, out: stdout, err: stderr })),
  );
  return {
    done,
    /** Resolves with the first match in stderr (where the CLI talks to the person). */
    waitForErr(pattern: RegExp): Promise<RegExpExecArray> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr);
          if (match) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        void done.then(() => {
          waiters.delete(check);
          reject(new Error(`the CLI ended before printing ${pattern}:\n${stdout}\n${stderr}`));
        });
        check();
      });
    },
  };
}

describe('the documented first run, end to end', { skip: chromiumMissing }, () => {
  const clock = new TestClock();
  const { logger, lines } = captureLogger('info');
  let portcullis: Portcullis;
  let issuer: string;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let beside: Record<string, string>;

  before(async () => {
    ({ path: dataDir, cleanup } = await tempDir());
    const port = await freePort();
    // What `npm start` reads on a fresh checkout: no BOOTSTRAP_FILE, no OPERATOR_TOKEN, not production.
    const config = loadConfig({
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      ISSUER: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    });
    assert.equal(config.bootstrapFile, undefined);
    assert.deepEqual(await readdir(dataDir), [], 'DATA_DIR starts empty');
    portcullis = await createPortcullis(config, { logger, now: clock.now });
    issuer = await portcullis.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    // The second terminal: same DATA_DIR, the server's address, nothing else.
    beside = { DATA_DIR: dataDir, OPERATOR_URL: issuer };
  });
  after(async () => {
    await browser?.close();
    await portcullis?.close();
    await cleanup?.();
  });

  it('start-up names users add; alice is created, sets up an authenticator at /account, logs in from the CLI and is audited as herself', async () => {
    // 1. The server generated the break-glass token and says how to create the first administrator.
    assert.ok((await readdir(dataDir)).includes(DEV_SECRETS_FILE), 'the generated secrets are in DATA_DIR');
    assert.ok(
      lines.some((line) => line.msg.includes('npm run portcullis -- users add <name> --admin-role admin')),
      'the start-up log names the users add command',
    );

    // 2. users add, password on stdin; the CLI finds the generated token in DATA_DIR on its own.
    const added = await cliProcess(beside, ['users', 'add', 'alice', '--admin-role', 'admin'], `${PASSWORD}\n`).done;
    assert.equal(added.code, 0, added.err);
    assert.match(added.out, /^created alice \(id [\w-]+\), admin roles: admin/);
    const alice = await portcullis.accounts.findByUsername('alice');
    assert.ok(alice, 'alice exists');
    const breakGlass = () => lines.filter((line) => line.level === 40 && line.msg.startsWith('admin API called with OPERATOR_TOKEN')).length;
    const breakGlassBeforeLogin = breakGlass();
    assert.ok(breakGlassBeforeLogin > 0, 'users add used the generated OPERATOR_TOKEN, and that was warned about');

    // 3. alice opens /account, signs in on the issuer's page and sets up an authenticator.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${issuer}/account`);
    await page.getByLabel('Username').waitFor();
    assert.match(page.url(), /\/interaction\//, 'the issuer’s own sign-in page');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await submits(page, '/interaction/:uid/login', () => page.getByRole('button', { name: 'Sign in' }).click());
    await page.waitForURL(`${issuer}/account`);
    await page.getByRole('link', { name: 'Two-step verification' }).click();
    await page.waitForURL(`${issuer}/account/mfa`);
    await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/, 'the page shows the secret');
    await page.getByLabel('Code from the app').fill(await totpAt(secret, clock));
    await submits(page, '/account/mfa/enrol', () => page.getByRole('button', { name: 'Turn on two-step verification' }).click());
    await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
    assert.equal(await portcullis.mfa.isEnrolled(alice.id), true);

    // 4. login: the device flow, completed in the same browser with the second factor.
    const login = cliProcess(beside, ['login']);
    const [, verificationUri, userCode] = await login.waitForErr(/To sign in, open (\S+) and enter the code: (\S+)/);
    await page.goto(verificationUri as string);
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await page.fill('input[name="user_code"]', userCode as string);
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    clock.advance(30);
    await page.getByLabel('Code', { exact: true }).fill(await totpAt(secret, clock));
    await submits(page, '/interaction/:uid/mfa', () => page.getByRole('button', { name: 'Verify' }).click());
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    await context.close();
    const loggedIn = await login.done;
    assert.equal(loggedIn.code, 0, loggedIn.err);
    assert.match(loggedIn.out, new RegExp(`^signed in as ${alice.id};`));
    assert.equal((await readCachedToken(dataDir))?.subject, alice.id);
    assert.equal((await stat(tokenCachePath(dataDir))).mode & 0o777, 0o600, 'the cached token is private to its owner');

    // 5. users list with the cached token; a change is audited as alice, not as the operator.
    const listed = await cliProcess(beside, ['users', 'list', '--json']).done;
    assert.equal(listed.code, 0, listed.err);
    const body = JSON.parse(listed.out) as { items: Array<{ id: string; username: string }> };
    assert.deepEqual(
      body.items.map((user) => user.username),
      ['alice'],
    );
    const updated = await cliProcess(beside, ['users', 'update', 'alice', '--name', 'Alice']).done;
    assert.equal(updated.code, 0, updated.err);
    assert.equal((await portcullis.accounts.findByUsername('alice'))?.name, 'Alice');
    await portcullis.audit.flush();
    const updates = await portcullis.store.audit.list({ type: 'admin.users.update' });
    assert.deepEqual(
      updates.map((event) => event.detail?.actor),
      [{ kind: 'account', id: alice.id }],
      'audited as alice, not as the operator',
    );
    const adds = await portcullis.store.audit.list({ type: 'admin.users.create' });
    assert.deepEqual(
      adds.map((event) => event.detail?.actor),
      [{ kind: 'operator', id: 'operator' }],
      'only the first person was created with the break-glass token',
    );
    assert.equal(breakGlass(), breakGlassBeforeLogin, 'after login the CLI no longer uses the break-glass token');
  });
});
