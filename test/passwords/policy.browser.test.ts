/**
 * The password policy's refusals on the pages as Chromium renders and submits them: the account
 * console's change and the must-change step both list every failed rule, one line each, and
 * nothing is written until a password passes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const CHOSEN = 'my own chosen passphrase 2026';

async function problems(page: Page): Promise<string[]> {
  return (await page.getByRole('alert').locator('li').allTextContents()).map((line) => line.trim());
}

describe('password policy refusals in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the must-change page lists every rule a weak password fails, then accepts a good one', async () => {
    const created = await fetch(`${server.url}/admin/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: 'quinn', email: 'quinn@example.com', password: PASSWORD, must_change: true }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const client = await clientPage(browser);
    const { page } = client;
    await page.goto((await startAuthorization(config, { scope: 'openid profile' })).url.href);
    await signInThroughPage(page, 'quinn', PASSWORD);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.match((await page.locator('#password-rules').textContent()) ?? '', /Use 15 to 128 characters/);

    await page.getByLabel('New password', { exact: true }).fill('quinn');
    await page.getByLabel('New password again').fill('quinn');
    await submits(page, '/interaction/:uid/new-password', () => page.getByRole('button', { name: 'Save and continue' }).click());
    const listed = await problems(page);
    assert.equal(listed.length, 4, listed.join(' | '));
    assert.equal(listed[0], 'Use at least 15 characters.');
    assert.ok(listed.includes('Do not use your username in your password.'));
    assert.ok(listed.includes('Do not use your email address in your password.'));
    assert.ok(listed.some((line) => /easy to guess/.test(line)));
    assert.equal((await server.portcullis.accounts.findByUsername('quinn'))?.mustChangePassword, true, 'nothing written');

    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await submits(page, '/interaction/:uid/new-password', () => page.getByRole('button', { name: 'Save and continue' }).click());
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    assert.equal((await server.portcullis.accounts.authenticate('quinn', CHOSEN)).ok, true);
    await client.close();
  });

  it('the console password page lists every rule a weak password fails, as submitted from the rendered form', async () => {
    await server.portcullis.accounts.create({ username: 'rhea', email: 'rhea@example.com', password: PASSWORD });
    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const client = await clientPage(browser);
    const { page, landed } = client;
    await page.goto((await startAuthorization(config, { scope: 'openid profile' })).url.href);
    await signInThroughPage(page, 'rhea', PASSWORD);
    await page.getByRole('button', { name: 'Allow' }).click();
    await landed;
    await page.waitForURL((url) => url.origin === 'http://127.0.0.1:9999');
    await page.goto(`${server.url}/account/password`);
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('rhea1');
    await page.getByLabel('New password again').fill('rhea1');
    await submits(page, '/account/password', () => page.getByRole('button', { name: 'Change password' }).click());
    const listed = await problems(page);
    assert.deepEqual(listed.slice(0, 3), [
      'Use at least 15 characters.',
      'Do not use your username in your password.',
      'Do not use your email address in your password.',
    ]);
    assert.equal(listed.length, 4, listed.join(' | '));
    assert.equal((await server.portcullis.accounts.authenticate('rhea', PASSWORD)).ok, true, 'nothing written');
    await client.close();
  });
});
