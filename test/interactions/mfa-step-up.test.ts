/**
 * Step-up through a real client (openid-client): with MFA_POLICY=when_required, a password-only
 * session stays password-only until a client asks for the multi-factor acr; then the `mfa`
 * prompt asks for a code only — no password — and the ID token says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { ACR_MFA, ACR_PASSWORD } from '../../src/mfa/acr.ts';
import { Browserless } from '../support/browserless.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('MFA step-up with acr_values', () => {
  const clock = new TestClock();
  let server: TestServer;
  let web: oidc.Configuration;
  let secret: string;

  before(async () => {
    server = await startServer({ env: { MFA_POLICY: 'when_required' }, options: { now: clock.now } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    ({ secret } = await enrolDirectly(server, 'alice', clock));
  });
  after(() => server.close());

  async function passwordSession() {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid' });
    const first = await drive(browser, start.url.href, { username: 'alice', password: PASSWORD });
    const claims = (await redeem(web, first.callback, start)).claims();
    return { browser, first, claims };
  }

  it('advertises the multi-factor acr in discovery', async () => {
    const metadata = web.serverMetadata();
    assert.ok(metadata.acr_values_supported?.includes(ACR_MFA));
  });

  it('signs in with the password alone when nobody asks for more', async () => {
    const { first, claims } = await passwordSession();
    assert.deepEqual(first.seen, ['login', 'consent']);
    assert.deepEqual(claims?.amr, ['pwd']);
    assert.equal(claims?.acr, ACR_PASSWORD);
    assert.equal(typeof claims?.auth_time, 'number');
  });

  it('asks a password-only session for a code when acr_values names MFA, and says so in the ID token', async () => {
    const { browser, claims: before } = await passwordSession();
    clock.advance(30);
    const start = await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA });
    const second = await drive(browser, start.url.href, { code: () => totpAt(secret, clock) });
    assert.deepEqual(second.seen, ['mfa', 'consent'], 'a code, and no second password');
    const claims = (await redeem(web, second.callback, start)).claims();
    assert.equal(claims?.sub, before?.sub);
    assert.deepEqual(claims?.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(claims?.acr, ACR_MFA);
    // auth_time is the moment of the code (the test clock runs ahead of the password's real time).
    assert.equal(claims?.auth_time, Math.floor(clock.now() / 1000));
    assert.ok((claims?.auth_time as number) > (before?.auth_time as number));

    // The session now has the second factor: asking again does not prompt again.
    const third = await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA });
    const again = await drive(browser, third.url.href, {});
    assert.deepEqual(again.seen, ['consent']);
    assert.deepEqual((await redeem(web, again.callback, third)).claims()?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('does not prompt a password-only session without acr_values', async () => {
    const { browser } = await passwordSession();
    const start = await startAuthorization(web, { scope: 'openid' });
    const second = await drive(browser, start.url.href, {});
    assert.deepEqual(second.seen, ['consent']);
    const claims = (await redeem(web, second.callback, start)).claims();
    assert.deepEqual(claims?.amr, ['pwd']);
    assert.equal(claims?.acr, ACR_PASSWORD);
  });

  it('asks for the second factor when max_age sends a person with MFA back through sign-in', async () => {
    const { browser } = await passwordSession();
    clock.advance(30);
    const start = await startAuthorization(web, { scope: 'openid', max_age: '3600' });
    const second = await drive(browser, start.url.href, { code: () => totpAt(secret, clock) });
    assert.deepEqual(second.seen, ['mfa', 'consent']);
    assert.deepEqual((await redeem(web, second.callback, start)).claims()?.amr, ['pwd', 'otp', 'mfa']);
  });

  it('commits no session between the password and the code', async () => {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA });
    const { response } = await browser.follow(start.url.href);
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1] as string;
    const posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'alice', password: PASSWORD });
    assert.equal(posted.headers.get('location'), `/interaction/${uid}/mfa`);
    // Walking away from the code page leaves nothing another client could use silently.
    const silent = await startAuthorization(web, { scope: 'openid', prompt: 'none' });
    const result = await drive(browser, silent.url.href, {});
    assert.equal(result.callback.searchParams.get('error'), 'login_required');
  });

  it('answers prompt=none with interaction_required when the step-up needs the person', async () => {
    const { browser } = await passwordSession();
    const start = await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA, prompt: 'none' });
    const result = await drive(browser, start.url.href, {});
    assert.equal(result.callback.searchParams.get('error'), 'interaction_required');
  });
});
