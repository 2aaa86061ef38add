/**
 * Using the pages as a person does, in Chromium: open a fresh context, sign in through the
 * rendered login form, and submit a form by clicking the button the page renders — while
 * checking that the browser really POSTed to the form's action (a test that only clicks could
 * pass on a page whose button submits nothing, or submits somewhere else).
 */
import type { Browser, Page, Request } from 'playwright-core';
import { CALLBACK } from './rp.ts';
import { PASSWORD } from './server.ts';

export interface ClientPage {
  page: Page;
  /** The first URL the browser is sent to at the client (redirect_uri or post-logout URI). */
  landed: Promise<URL>;
  close(): Promise<void>;
}

/**
 * A new browser context whose requests to the client's origin (where nothing listens) get a
 * stand-in page, so a redirect to the client is observed rather than failing.
 */
export async function clientPage(browser: Browser): Promise<ClientPage> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const landed = new Promise<URL>((resolve) => {
    void page.route(`${new URL(CALLBACK).origin}/**`, async (route) => {
      resolve(new URL(route.request().url()));
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
    });
  });
  return { page, landed, close: () => context.close() };
}

/** `/interaction/:uid/login` matches `/interaction/Ab3_x.../login`; other segments literally. */
function pathPattern(action: string): RegExp {
  const escaped = action.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${escaped.join('/')}$`);
}

/**
 * Runs `click` (which must press a button the page rendered) and resolves with the form POST it
 * caused, failing if the browser posted to any path other than `action`.
 */
export async function submits(page: Page, action: string, click: () => Promise<void>): Promise<Request> {
  const pattern = pathPattern(action);
  const [request] = await Promise.all([page.waitForRequest((request) => request.method() === 'POST' && request.isNavigationRequest()), click()]);
  const path = new URL(request.url()).pathname;
  if (!pattern.test(path)) throw new Error(`the form posted to ${path}, not ${action}`);
  return request;
}

/** Fills the rendered login form by its labels and presses "Sign in". */
export async function signInThroughPage(page: Page, username = 'alice', password = PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await submits(page, '/interaction/:uid/login', () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
}
