/**
 * Sign-in attempts over HTTP, as a browser or an API caller makes them: one authorization
 * request opens the login form, then every POST to /interaction/:uid/login is an attempt.
 */
import { Browserless } from './browserless.ts';
import { discover, startAuthorization } from './rp.ts';

export interface LoginForm {
  uid: string;
  /** Posts the form (or JSON with `json: true`); headers go with the request (e.g. X-Forwarded-For). */
  attempt(username: string, password: string, options?: { json?: boolean; headers?: Record<string, string> }): Promise<Response>;
}

export async function openLoginForm(base: string, headers: Record<string, string> = {}): Promise<LoginForm> {
  const config = await discover(base, 'web-app', 'web-app-secret-that-is-long-enough');
  const start = await startAuthorization(config);
  const browser = new Browserless(base);
  const { response } = await browser.follow(start.url.href, { headers });
  const html = await response.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const uid = /\/interaction\/([A-Za-z0-9_-]+)\/login/.exec(html)?.[1];
  if (!csrf || !uid) throw new Error(`no login form: ${response.status} ${html.slice(0, 200)}`);
  return {
    uid,
    attempt(username, password, options = {}) {
      const path = `/interaction/${uid}/login`;
      if (options.json) {
        return browser.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf, ...options.headers },
          body: JSON.stringify({ username, password }),
        });
      }
      return browser.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
        body: new URLSearchParams({ csrf, username, password }).toString(),
      });
    },
  };
}

/** The visible text of the alert on a page, without markup. */
export function alertText(html: string): string | undefined {
  return /<div class="alert"[^>]*>([^<]*)<\/div>/.exec(html)?.[1]?.trim();
}
