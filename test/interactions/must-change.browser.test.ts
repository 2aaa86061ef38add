/**
 * A person whose password an administrator set with `must_change` signs in through the real pages
 * in headless Chromium: the admin-set password is right, so the new-password page comes next
 * (no redirect to the client yet); the page's own form, submitted as rendered, stores the new
 * password, and the sign-in goes on to consent and the client's callback. Afterwards the old
 * password fails, the new one works, and the mark is cleared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const CHOSEN = 'my own chosen passphrase 2026';

describe('a password set with must_change, in a real browser', { skip: chromiumMissing }, () => {
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

  it('asks for a new password after the admin-set one, then reaches the client; the old password fails and the new one works', async () => {
    const created = await fetch(`${server.url}/admin/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: 'newcomer', password: PASSWORD, must_change: true }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };

    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const client = await clientPage(browser);
    const { page, landed } = client;
    let reachedClient = false;
    void landed.then(() => {
      reachedClient = true;
    });
    await page.goto((await startAuthorization(config, { scope: 'openid profile' })).url.href);
    await signInThroughPage(page, 'newcomer', PASSWORD);

    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.match(new URL(page.url()).pathname, /^\/interaction\/[^/]+\/new-password$/);
    assert.equal(await page.getAttribute('#new_password', 'autocomplete'), 'new-password');
    assert.equal(reachedClient, false, 'the client has not been reached');
    assert.equal((await server.portcullis.accounts.findById(id))?.mustChangePassword, true, 'nothing changed before the new password');
    assert.equal((await server.portcullis.sessions.records(id)).length, 0, 'no session was made with the admin-set password');

    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await submits(page, '/interaction/:uid/new-password', () => page.getByRole('button', { name: 'Save and continue' }).click());
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    const url = await landed;
    assert.equal(url.origin + url.pathname, 'http://127.0.0.1:9999/callback');
    assert.ok(url.searchParams.get('code'));
    await client.close();

    const account = await server.portcullis.accounts.findById(id);
    assert.equal(account?.mustChangePassword, undefined, 'the mark is cleared');
    assert.equal((await server.portcullis.accounts.authenticate('newcomer', PASSWORD)).ok, false, 'the admin-set password fails');
    assert.equal((await server.portcullis.accounts.authenticate('newcomer', CHOSEN)).ok, true, 'the chosen password works');

    // And signing in again with the chosen password goes straight on: no new-password page.
    const again = await clientPage(browser);
    await again.page.goto((await startAuthorization(config, { scope: 'openid profile' })).url.href);
    await signInThroughPage(again.page, 'newcomer', CHOSEN);
    const allow = again.page.getByRole('button', { name: 'Allow' });
    const next = await Promise.race([
      again.landed.then(() => 'client'),
      allow.waitFor().then(
        () => 'consent',
        () => 'closed',
      ),
    ]);
    if (next === 'consent') await allow.click();
    assert.equal(await again.page.locator('#new_password').count(), 0, 'no new-password page the second time');
    const second = await again.landed;
    assert.equal(second.origin + second.pathname, 'http://127.0.0.1:9999/callback');
    await again.close();
  });

  it('Cancel on the new-password page goes back to the client with access_denied and changes nothing', async () => {
    const made = await server.portcullis.accounts.create({ username: 'hesitant', password: PASSWORD, mustChangePassword: true });
    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const client = await clientPage(browser);
    const { page } = client;
    await page.goto((await startAuthorization(config, { scope: 'openid profile' })).url.href);
    await signInThroughPage(page, 'hesitant', PASSWORD);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await submits(page, '/interaction/:uid/abort', () => page.getByRole('button', { name: /^Cancel and return to/ }).click());
    const url = await client.landed;
    assert.equal(url.searchParams.get('error'), 'access_denied');
    await client.close();
    const account = await server.portcullis.accounts.findById(made.id);
    assert.equal(account?.mustChangePassword, true);
    assert.equal(account?.passwordHash, made.passwordHash);
  });
});
