/** Browsers with recognisable user agents, and the self-service JSON API as each of them sees it. */
import assert from 'node:assert/strict';
import { Browserless } from './browserless.ts';
import { withConsole } from './console.ts';

export const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
export const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

export interface SessionJson {
  uid: string;
  current: boolean;
  device: { label: string; browser?: string; os?: string; device?: string };
  ip: string | null;
  created_at: string;
  last_active_at: string | null;
  expires_at: string | null;
  applications: Array<{ client_id: string; name: string }>;
}

export function device(base: string, userAgent: string): Browserless {
  return new Browserless(base, { 'user-agent': userAgent });
}

/** GET /account/api/sessions (signing in to the console first); also leaves the CSRF cookie in the browser's jar. */
export async function listSessions(browser: Browserless): Promise<{ sessions: SessionJson[]; csrf: string }> {
  await withConsole(browser);
  const response = await browser.request('/account/api/sessions', { headers: { accept: 'application/json' } });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { sessions: SessionJson[]; csrf_token: string };
  return { sessions: body.sessions, csrf: body.csrf_token };
}

export async function currentSession(browser: Browserless): Promise<SessionJson> {
  const { sessions } = await listSessions(browser);
  const current = sessions.find((session) => session.current);
  assert.ok(current, 'this browser has a session');
  return current;
}
