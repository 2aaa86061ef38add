/**
 * /account/mfa: self-service on the issuer session. Enrol, make new backup codes and turn MFA
 * off — the last two only with a fresh code — with CSRF checked on every form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { drive, TestClock, totpAt } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('account MFA pages', () => {
  const clock = new TestClock();
  let server: TestServer;
  let browser: Browserless;
  let secret: string;
  let codes: string[];

  const page = async (path: string) => {
    const response = await browser.request(path);
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  };
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;

  before(async () => {
    server = await startServer({ options: { now: clock.now } });
    browser = new Browserless(server.url);
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web, { scope: 'openid' });
    await drive(browser, start.url.href, { username: 'bob', password: PASSWORD });
    await openConsole(browser);
  });
  after(() => server.close());

  it('needs a console session: a page view starts the sign-in, JSON is refused', async () => {
    const stranger = new Browserless(server.url);
    const html = await stranger.request('/account/mfa');
    assert.equal(html.status, 303);
    assert.match(html.headers.get('location') ?? '', /\/auth\?.*client_id=portcullis-account/);
    const json = await stranger.request('/account/mfa', { headers: { accept: 'application/json' } });
    assert.deepEqual(((await json.json()) as { error: string }).error, 'login_required');
  });

  it('sets up an authenticator: QR code and secret shown, confirmed by a first code, backup codes once', async () => {
    assert.match((await page('/account/mfa')).html, /Two-step verification is <strong>off<\/strong>/);
    const enrol = await page('/account/mfa/enrol');
    assert.match(enrol.html, /<img class="qr" src="data:image\/svg\+xml;base64,/);
    assert.match(enrol.html, /autocomplete="one-time-code"/);
    secret = (/id="totp-secret" class="secret">([^<]+)</.exec(enrol.html)?.[1] ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const csrf = csrfOf(enrol.html);

    assert.equal((await browser.postForm('/account/mfa/enrol', { code: await totpAt(secret, clock) })).status, 403, 'no CSRF token');
    const wrong = await browser.postForm('/account/mfa/enrol', { csrf, code: '000000' });
    assert.equal(wrong.status, 401);
    const done = await browser.postForm('/account/mfa/enrol', { csrf, code: await totpAt(secret, clock) });
    assert.equal(done.status, 200);
    codes = [...(await done.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1] as string);
    assert.equal(codes.length, 10);

    const status = await page('/account/mfa');
    assert.match(status.html, /Two-step verification is <strong>on<\/strong>/);
    assert.match(status.html, /<strong>10<\/strong> of 10 backup codes left/);
    assert.doesNotMatch(status.html, /<li><code>/, 'the codes are not shown again');
    const again = await page('/account/mfa/enrol');
    assert.equal(again.status, 303);
  });

  it('makes new backup codes only with a fresh code, voiding the old set', async () => {
    const csrf = csrfOf((await page('/account/mfa')).html);
    const refused = await browser.postForm('/account/mfa/backup-codes', { csrf, code: '000000' });
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /Nothing was changed/);
    assert.equal((await browser.postForm('/account/mfa/backup-codes', { code: codes[0] as string })).status, 403, 'no CSRF token');

    clock.advance(30);
    const made = await browser.postForm('/account/mfa/backup-codes', { csrf, code: await totpAt(secret, clock) });
    assert.equal(made.status, 200);
    const fresh = [...(await made.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1] as string);
    assert.equal(fresh.length, 10);
    const old = await browser.postForm('/account/mfa/remove', { csrf, code: codes[1] as string });
    assert.equal(old.status, 401, 'an old backup code no longer works');
    codes = fresh;
  });

  it('warns when few backup codes are left', async () => {
    const bob = await server.portcullis.accounts.findByUsername('bob');
    for (const code of codes.slice(0, 7)) assert.equal((await server.portcullis.mfa.verify(bob?.id as string, code)).ok, true);
    const status = await page('/account/mfa');
    assert.match(status.html, /<strong>3<\/strong> of 10 backup codes left/);
    assert.match(status.html, /id="backup-codes-warning"/);
  });

  it('turns MFA off only with a fresh code', async () => {
    const csrf = csrfOf((await page('/account/mfa')).html);
    assert.equal((await browser.postForm('/account/mfa/remove', { csrf, code: '123456' })).status, 401);
    const removed = await browser.postForm('/account/mfa/remove', { csrf, code: codes[8] as string });
    assert.equal(removed.status, 303);
    assert.equal(removed.headers.get('location'), '/account/mfa?done=removed');
    const status = await page('/account/mfa?done=removed');
    assert.match(status.html, /Two-step verification is <strong>off<\/strong>/);
    assert.match(status.html, /role="status">Two-step verification is off\./);
    assert.doesNotMatch((await page('/account/mfa?done=constructor')).html, /role="status"/);
    await server.portcullis.audit.flush();
    const events = await server.portcullis.store.audit.list({ accountId: (await server.portcullis.accounts.findByUsername('bob'))?.id as string });
    const types = new Set(events.map((event) => event.type));
    for (const type of ['mfa.enrolled', 'mfa.verified', 'mfa.failed', 'mfa.backup_code_used', 'mfa.removed']) {
      assert.ok(types.has(type), `audit trail has ${type}`);
    }
  });
});
