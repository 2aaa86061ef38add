/**
 * A person whose password appears in the breach corpus (the loopback fake of the range API) and
 * who has an authenticator signs in through the real pages in headless Chromium: password, then
 * the code, then the new-password page saying the password appeared in a data breach; its form,
 * submitted as rendered, refuses another breached password with the reason, accepts a fresh one,
 * and the sign-in goes on to consent and the client's callback, where openid-client redeems the
 * code. Afterwards the breached password fails, the new one works, and the mark is cleared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { type FakePwned, startPwned } from '../support/pwned.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const LEAKED = 'a leaked passphrase from 2019';
const ALSO_LEAKED = 'another leaked passphrase 2020';
const CHOSEN = 'a fresh passphrase of my own 2026';

describe('a breached password at sign-in, in a real browser', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let pwned: FakePwned;
  let browser: Browser;
  const clock = new TestClock();

  before(async () => {
    pwned = await startPwned({ [LEAKED]: 31, [ALSO_LEAKED]: 5 });
    server = await startServer({ env: { PASSWORD_BREACH_CHECK: 'on', PASSWORD_BREACH_API: pwned.url }, options: { now: clock.now } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await pwned?.close();
  });

  it('after the code, asks for a new password because of the breach, then reaches the client', async () => {
    const person = await server.portcullis.accounts.create({ username: 'rhea', password: LEAKED });
    const { secret } = await enrolDirectly(server, 'rhea', clock);
    const config = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(config, { scope: 'openid profile' });
    const client = await clientPage(browser);
    const { page, landed } = client;
    let reachedClient = false;
    void landed.then(() => {
      reachedClient = true;
    });
    await page.goto(start.url.href);
    await signInThroughPage(page, 'rhea', LEAKED);

    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    assert.equal((await server.portcullis.accounts.findById(person.id))?.passwordCompromisedAt, undefined, 'nothing marked before the code');
    await page.getByLabel('Code', { exact: true }).fill(await totpAt(secret, clock));
    await submits(page, '/interaction/:uid/mfa', () => page.getByRole('button', { name: 'Verify' }).click());

    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.match((await page.locator('p.lead').textContent()) ?? '', /This password appeared in a data breach — choose a new one/);
    assert.match(new URL(page.url()).pathname, /^\/interaction\/[^/]+\/new-password$/);
    assert.equal(reachedClient, false, 'the client has not been reached');
    assert.ok((await server.portcullis.accounts.findById(person.id))?.passwordCompromisedAt, 'marked once the code was right');

    await page.getByLabel('New password', { exact: true }).fill(ALSO_LEAKED);
    await page.getByLabel('New password again').fill(ALSO_LEAKED);
    await submits(page, '/interaction/:uid/new-password', () => page.getByRole('button', { name: 'Save and continue' }).click());
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /data breach/);

    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await submits(page, '/interaction/:uid/new-password', () => page.getByRole('button', { name: 'Save and continue' }).click());
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    const url = await landed;
    assert.equal(url.origin + url.pathname, 'http://127.0.0.1:9999/callback');
    const tokens = await redeem(config, url, start);
    assert.deepEqual(tokens.claims()?.amr, ['pwd', 'otp', 'mfa']);
    await client.close();

    const account = await server.portcullis.accounts.findById(person.id);
    assert.equal(account?.passwordCompromisedAt, undefined, 'the mark is cleared');
    assert.equal((await server.portcullis.accounts.authenticate('rhea', LEAKED)).ok, false, 'the breached password fails');
    assert.equal((await server.portcullis.accounts.authenticate('rhea', CHOSEN)).ok, true, 'the new password works');
  });
});
