/**
 * The pages work for a person who uses only the keyboard, and in a browser with JavaScript off.
 *
 * Keyboard: signing in at an application (sign-in form, then consent) and changing the password
 * on the account console (from its home page's link) are done with Tab, typing and Enter only —
 * no click — and every element Tab lands on shows a visible focus outline.
 * No JavaScript: a browser context with JavaScript disabled signs in at an application (the
 * code it lands with is redeemed) and changes the password on the account console; and no view
 * carries a script at all.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser } from '../support/browser.ts';
import { Browserless } from '../support/browserless.ts';
import { clientPage, signInThroughPage, submits } from '../support/pages.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

if (chromiumMissing) console.warn(`\n*** ${chromiumMissing} ***\n`);

const VIEWS = fileURLToPath(new URL('../../src/views/', import.meta.url));

interface Focused {
  /** The label of an input, the text of a button or link. */
  name: string;
  tag: string;
  /**
   * A focus indicator we drew: an outline at least 2 px thick (WCAG 2.2 focus appearance), or a box
   * shadow. Chromium's own ring on links is 1 px `auto`, which this does not count: our CSS must
   * style focus, not rely on the browser's default.
   */
  visible: boolean;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return { name: '', tag: 'body', visible: false };
    const labels = (element as HTMLInputElement).labels;
    const name = (labels && labels.length > 0 ? labels[0]?.textContent : element.textContent) ?? '';
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
    return { name: name.trim(), tag: element.tagName.toLowerCase(), visible: outline || style.boxShadow !== 'none' };
  });
}

/**
 * Presses Tab until the element named `name` has focus (at most `presses` times; none if it has
 * it already), failing if any element it passes on the way shows no focus indicator.
 */
async function tabTo(page: Page, name: string, presses = 12): Promise<void> {
  const seen: string[] = [];
  for (let pressed = 0; ; pressed += 1) {
    const now = await focused(page);
    if (now.tag !== 'body') {
      assert.ok(now.visible, `keyboard focus on the ${now.tag} "${now.name}" is not visible (${page.url()})`);
      seen.push(now.name);
    }
    if (now.name === name) return;
    assert.ok(pressed < presses, `Tab did not reach "${name}" in ${presses} presses: ${seen.join(' → ')} (${page.url()})`);
    await page.keyboard.press('Tab');
  }
}

const NEW_PASSWORD = 'eleven paper kites above the old mill';

describe('keyboard only, and without JavaScript', { skip: chromiumMissing }, () => {
  let server: TestServer;
  let browser: Browser;
  let web: oidc.Configuration;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** True when `username` signs in with `password` (a code comes back to the client). */
  async function signsIn(username: string, password: string): Promise<boolean> {
    try {
      const landed = await new Browserless(server.url).authorize((await startAuthorization(web, { scope: 'openid' })).url.href, username, password);
      return landed.searchParams.has('code');
    } catch (error) {
      if (/form answered 401/.test(String(error))) return false;
      throw error;
    }
  }

  it('signs in at an application and changes the password on the account console with the keyboard alone, focus always visible', async () => {
    const start = await startAuthorization(web, { scope: 'openid profile' });
    const { page, landed, close } = await clientPage(browser);
    await page.goto(start.url.href);
    await tabTo(page, 'Username');
    await page.keyboard.type('alice');
    await tabTo(page, 'Password', 1);
    await page.keyboard.type(PASSWORD);
    await submits(page, '/interaction/:uid/login', () => page.keyboard.press('Enter'));
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await tabTo(page, 'Allow');
    await submits(page, '/interaction/:uid/confirm', () => page.keyboard.press('Enter'));
    assert.ok((await redeem(web, await landed, start)).access_token, 'the code the keyboard sign-in brought back is redeemed');
    await page.waitForURL(`${CALLBACK}**`);

    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await tabTo(page, 'Password');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/account/password`);
    await tabTo(page, 'Current password');
    await page.keyboard.type(PASSWORD);
    await tabTo(page, 'New password', 1);
    await page.keyboard.type(NEW_PASSWORD);
    await tabTo(page, 'New password again', 1);
    await page.keyboard.type(NEW_PASSWORD);
    await submits(page, '/account/password', () => page.keyboard.press('Enter'));
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    assert.equal(await signsIn('alice', NEW_PASSWORD), true, 'the new password works');
    assert.equal(await signsIn('alice', PASSWORD), false, 'the old one does not');
    await close();
  });

  it('signs in at an application and changes the password with JavaScript off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const probe = `${new URL(CALLBACK).origin}/script-probe`;
    const landed = new Promise<URL>((resolve) => {
      void page.route(`${new URL(CALLBACK).origin}/**`, async (route) => {
        const url = new URL(route.request().url());
        if (url.href === probe)
          return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>before</title><script>document.title = "ran"</script>' });
        resolve(url);
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
      });
    });
    await page.goto(probe);
    assert.equal(await page.title(), 'before', 'scripts do not run in this context');

    const start = await startAuthorization(web, { scope: 'openid profile' });
    await page.goto(start.url.href);
    await signInThroughPage(page, 'bob');
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await submits(page, '/interaction/:uid/confirm', () => page.getByRole('button', { name: 'Allow' }).click());
    assert.ok((await redeem(web, await landed, start)).access_token, 'the code is redeemed');
    await page.waitForURL(`${CALLBACK}**`);

    await page.goto(`${server.url}/account/password`);
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await submits(page, '/account/password', () => page.getByRole('button', { name: 'Change password' }).click());
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    assert.equal(await signsIn('bob', NEW_PASSWORD), true, 'the new password works');
    await context.close();
  });

  it('no page carries a script: every view works without JavaScript', () => {
    const views = readdirSync(VIEWS, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ejs') && !name.startsWith('mail'));
    assert.ok(views.includes('login.ejs') && views.some((name) => name.includes('head.ejs')), `the views were found (${views.join(', ')})`);
    // Passkey ceremonies need JavaScript (issue 16): this one partial may load the two same-origin scripts, and nothing else.
    const allowed = (name: string, text: string) =>
      name === 'partials/passkey-scripts.ejs' ? text.replace(/<script src="\/assets\/(webauthn|passkeys)\.js" defer><\/script>/g, '') : text;
    const withScript = views.filter((name) => /<script\b|\bon[a-z]+\s*=\s*["']|javascript:/i.test(allowed(name, readFileSync(`${VIEWS}${name}`, 'utf8'))));
    assert.deepEqual(withScript, [], 'views with a script, an inline handler or a javascript: link');
  });
});
