/**
 * The account console signs in through the issuer's authorization flow (src/console/sign-in.ts).
 * A browser that already holds an issuer session does so silently: opening /account follows
 * /auth → /account/callback → /account with no page in between, and leaves the console cookie.
 * Tests that sign in at an application and then use /account call this first, as a person's
 * browser would do by following the redirects.
 */
import assert from 'node:assert/strict';
import type { Browserless } from './browserless.ts';

export const CONSOLE_COOKIE = 'portcullis.account';

export async function openConsole(browser: Browserless): Promise<void> {
  const { response, url } = await browser.follow('/account');
  assert.equal(new URL(url).pathname, '/account', `the console sign-in ended at ${url}`);
  assert.equal(response.status, 200, `the console answered ${response.status}`);
  await response.body?.cancel();
}

/** Opens the console unless this browser already holds its cookie. */
export async function withConsole(browser: Browserless): Promise<void> {
  if (!browser.jar.get(CONSOLE_COOKIE)) await openConsole(browser);
}
