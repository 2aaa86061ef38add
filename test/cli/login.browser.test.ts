/**
 * `portcullis login` end to end: the CLI starts the device flow (RFC 8628) as portcullis-cli, the
 * person completes it in Chromium as they would (code, password, second factor), the CLI caches
 * the admin token with mode 0600, and what the CLI does next is audited as that person, not as
 * the operator. `logout` drops the cache.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { readCachedToken, tokenCachePath } from '../../src/cli/token-cache.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ADMIN_BOOTSTRAP } from '../support/admin.ts';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

/** A CLI context whose output lines a test can wait for while the command still runs. */
function watchedContext(env: Record<string, string>) {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const push = (line: string) => {
    lines.push(line);
    for (const waiter of waiters) waiter();
  };
  return {
    lines,
    context: { config: () => loadConfig(env), out: push, err: push },
    waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      return new Promise((resolve) => {
        const check = () => {
          for (const line of lines) {
            const match = pattern.exec(line);
            if (match) {
              waiters.delete(check);
              resolve(match);
              return;
            }
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

describe('portcullis login (device flow in a real browser)', { skip: chromiumMissing }, () => {
  const clock = new TestClock();
  let server: TestServer;
  let browser: Browser;
  let secret: string;
  let accountId: string;
  let env: Record<string, string>;

  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP, options: { now: clock.now } });
    browser = await launchBrowser();
    ({ secret, accountId } = await enrolDirectly(server, 'ivan', clock));
    // Beside the server (same DATA_DIR), no OPERATOR_TOKEN: without the login it would act as the operator.
    env = { OPERATOR_URL: server.url, DATA_DIR: server.dataDir };
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, { config: () => loadConfig(env), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  it('an administrator with a second factor logs in from the CLI; the cached token is theirs and their actions are audited as them', async () => {
    const watched = watchedContext(env);
    const login = runCli(['login'], COMMANDS, watched.context);
    const [, verificationUri, userCode] = await watched.waitFor(/^To sign in, open (\S+) and enter the code: (\S+)$/);

    const { page, close } = await clientPage(browser);
    await page.goto(verificationUri as string);
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await page.fill('input[name="user_code"]', userCode as string);
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await page.getByRole('heading', { name: 'Confirm the device' }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Portcullis CLI/);
    await submits(page, '/device', () => page.getByRole('button', { name: 'Continue' }).click());
    await signInThroughPage(page, 'ivan');
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    clock.advance(30);
    await page.getByLabel('Code', { exact: true }).fill(await totpAt(secret, clock));
    await submits(page, '/interaction/:uid/mfa', () => page.getByRole('button', { name: 'Verify' }).click());
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    await close();

    assert.equal(await login, 0, watched.lines.join('\n'));
    assert.ok(watched.lines.some((line) => line.startsWith(`signed in as ${accountId};`)));
    const file = tokenCachePath(server.dataDir);
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'the cached token is private to its owner');
    const cached = await readCachedToken(server.dataDir);
    assert.equal(cached?.url, server.url);
    assert.equal(cached?.subject, accountId);
    assert.ok(cached?.scope.split(' ').includes('keys:write'), 'an admin gets every scope');

    const rotated = await cli('keys', 'rotate', '--alg', 'ES256');
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    await server.portcullis.audit.flush();
    const events = await server.portcullis.store.audit.list({ type: 'admin.keys.rotate' });
    assert.deepEqual(
      events.map((event) => event.detail?.actor),
      [{ kind: 'account', id: accountId }],
      'audited as the person, not as the operator',
    );

    const listed = await cli('users', 'list');
    assert.equal(listed.code, 0, listed.err.join('\n'));
    assert.ok(
      listed.out.some((line) => /\bivan\b/.test(line)),
      'the person’s own token lists people',
    );

    assert.deepEqual((await cli('logout')).out, ['logged out: the cached admin token is deleted']);
    assert.equal(await readCachedToken(server.dataDir), undefined);
    assert.deepEqual((await cli('logout')).out, ['not logged in: no cached admin token']);
  });
});
