/**
 * Every section of /account answers JSON at its page's own address to `Accept: application/json`
 * (the same data the page shows, with a CSRF token for the section's writes); the older
 * /account/api/* addresses stay as aliases; JSON callers without a session get 401 login_required.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const json = { accept: 'application/json' };

describe('/account answers JSON at every page address', () => {
  let server: TestServer;
  let browser: Browserless;
  before(async () => {
    server = await startServer();
    browser = new Browserless(server.url);
    await browser.authorizeUntilPage(`${server.url}/account`, 'alice', PASSWORD);
  });
  after(() => server.close());

  async function get(path: string): Promise<Record<string, unknown>> {
    const answer = await browser.request(path, { headers: json });
    assert.equal(answer.status, 200, path);
    assert.match(answer.headers.get('content-type') ?? '', /application\/json/, path);
    return (await answer.json()) as Record<string, unknown>;
  }

  it('the home page lists every section, profile included', async () => {
    const home = await get('/account');
    assert.equal(home.username, 'alice');
    const sections = home.sections as Record<string, string>;
    assert.equal(sections.profile, '/account/profile');
    assert.equal(sections.sessions, '/account/sessions');
    const page = await (await browser.request('/account')).text();
    assert.ok(page.includes('href="/account/profile"'), 'the home page links to the profile');
  });

  it('sessions at /account/sessions, the same as the /account/api/sessions alias', async () => {
    const page = await get('/account/sessions');
    const alias = await get('/account/api/sessions');
    const uids = (body: Record<string, unknown>) => (body.sessions as Array<{ uid: string; current: boolean }>).map((s) => `${s.uid}:${s.current}`);
    assert.deepEqual(uids(page), uids(alias));
    assert.ok(uids(page).some((entry) => entry.endsWith(':true')));
    assert.match(String(page.csrf_token), /^[A-Za-z0-9_-]{43}$/);
  });

  it('two-step verification at /account/mfa', async () => {
    const mfa = await get('/account/mfa');
    assert.equal(mfa.enrolled, false);
    assert.equal(typeof mfa.backup_codes_left, 'number');
    assert.match(String(mfa.csrf_token), /^[A-Za-z0-9_-]{43}$/);
  });

  it('the password rules at /account/password', async () => {
    const rules = (await get('/account/password')).rules as Record<string, unknown>;
    assert.equal(typeof rules.min_length, 'number');
    assert.equal(typeof rules.max_length, 'number');
  });

  it('the profile at /account/profile', async () => {
    const profile = await get('/account/profile');
    assert.equal(profile.email, 'alice@example.com');
    assert.equal(profile.name, 'Alice Example');
  });

  it('JSON callers without a session get 401 login_required at every section', async () => {
    for (const path of ['/account', '/account/sessions', '/account/mfa', '/account/password', '/account/profile', '/account/api/sessions']) {
      const answer = await fetch(`${server.url}${path}`, { headers: json, redirect: 'manual' });
      assert.equal(answer.status, 401, path);
      assert.equal(((await answer.json()) as { error: string }).error, 'login_required', path);
    }
  });
});
