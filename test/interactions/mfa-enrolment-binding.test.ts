/**
 * Audit findings 2 and 8: who may set up a second factor, and who is shown its secret.
 * - An unconfirmed TOTP secret belongs to the interaction or session that asked for it: someone
 *   who has only the password and reaches an enrolment step gets a secret of their own, never
 *   the owner's, and it dies when the owner confirms theirs (the audit's t13).
 * - acr_values, which the request chooses, never leads someone without MFA into enrolment.
 * - /account/mfa/enrol needs a sign-in from the last 5 minutes, not just a session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { ACR_MFA } from '../../src/mfa/acr.ts';
import { ageSignIn } from '../support/age-session.ts';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { drive, TestClock, totpAt } from '../support/mfa.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  clients: [
    ...DEFAULT_BOOTSTRAP.clients,
    {
      client_id: 'strict-app',
      client_secret: 'strict-app-secret-that-is-long-enough',
      client_name: 'Strict App',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code'],
      scope: 'openid profile',
      require_mfa: true,
    },
  ],
  users: [
    ...DEFAULT_BOOTSTRAP.users,
    { username: 'dave', email: 'dave@example.com', name: 'Dave', roles: ['user'], password: PASSWORD },
    { username: 'erin', email: 'erin@example.com', name: 'Erin', roles: ['user'], password: PASSWORD },
  ],
};

const field = (html: string, pattern: RegExp) => pattern.exec(html)?.[1];
const csrfOf = (html: string) => field(html, /name="csrf" value="([^"]+)"/) as string;
const secretOf = (html: string) => (field(html, /id="totp-secret" class="secret">([^<]+)</) ?? '').replace(/\s/g, '');

describe('who may set up a second factor, and who sees its secret', () => {
  const clock = new TestClock();
  let server: TestServer;
  let web: oidc.Configuration;
  let strict: oidc.Configuration;

  before(async () => {
    server = await startServer({ bootstrap: BOOTSTRAP, options: { now: clock.now } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    strict = await discover(server.url, 'strict-app', 'strict-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  /** Opens a sign-in and posts the password; answers the browser and the interaction uid. */
  async function password(config: oidc.Configuration, username: string, params: Record<string, string> = {}) {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(config, { scope: 'openid', ...params });
    const html = await (await browser.follow(start.url.href)).response.text();
    const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//) as string;
    const csrf = csrfOf(html);
    const posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username, password: PASSWORD });
    return { browser, uid, csrf, posted };
  }

  it('never shows the owner’s pending secret to someone with only the password, and the secret they saw does not work after the owner confirms', async () => {
    // The owner (dave, no MFA) opens the set-up page in the account console.
    const owner = new Browserless(server.url);
    await drive(owner, (await startAuthorization(web, { scope: 'openid' })).url.href, { username: 'dave', password: PASSWORD });
    await openConsole(owner);
    const page = await (await owner.request('/account/mfa/enrol')).text();
    const ownerSecret = secretOf(page);
    assert.match(ownerSecret, /^[A-Z2-7]{32}$/);

    // Someone with only dave's password reaches the sign-in enrolment step (a client that requires MFA).
    const attacker = await password(strict, 'dave');
    assert.equal(attacker.posted.headers.get('location'), `/interaction/${attacker.uid}/mfa`);
    const step = (await (await attacker.browser.request(`/interaction/${attacker.uid}/mfa`, { headers: { accept: 'application/json' } })).json()) as {
      enrolment: { secret: string };
    };
    assert.match(step.enrolment.secret, /^[A-Z2-7]{32}$/);
    assert.notEqual(step.enrolment.secret, ownerSecret, 'the attacker must not see the owner’s secret');
    // The owner reloading the page still sees their own secret (the QR code they may have scanned).
    assert.equal(secretOf(await (await owner.request('/account/mfa/enrol')).text()), ownerSecret);

    const confirmed = await owner.postForm('/account/mfa/enrol', { csrf: csrfOf(page), code: await totpAt(ownerSecret, clock) });
    assert.equal(confirmed.status, 200);

    clock.advance(30);
    const later = await password(web, 'dave');
    assert.equal(later.posted.headers.get('location'), `/interaction/${later.uid}/mfa`);
    const leaked = await later.browser.postForm(`/interaction/${later.uid}/mfa`, { csrf: later.csrf, code: await totpAt(step.enrolment.secret, clock) });
    assert.equal(leaked.status, 401, 'a code from the secret the attacker saw is refused');
    const right = await later.browser.postForm(`/interaction/${later.uid}/mfa`, { csrf: later.csrf, code: await totpAt(ownerSecret, clock) });
    assert.equal(right.status, 303, 'the owner’s authenticator works');
  });

  it('answers unmet_authentication_requirements, not an enrolment page, when only acr_values asks a person without MFA for it', async () => {
    const { browser, posted } = await password(web, 'erin', { acr_values: ACR_MFA });
    assert.equal(posted.status, 303);
    const { response, url } = await browser.follow(new URL(posted.headers.get('location') as string, server.url).href);
    const html = await response.text();
    assert.doesNotMatch(html, /id="totp-secret"/, 'no enrolment offered');
    assert.equal(new URL(url).searchParams.get('error'), 'unmet_authentication_requirements');
    const erin = await server.portcullis.accounts.findByUsername('erin');
    assert.deepEqual(await server.portcullis.store.mfa.listByAccount(erin?.id as string), [], 'no secret was even made');
  });

  it('answers the same to acr_values on an existing password-only session of a person without MFA', async () => {
    const browser = new Browserless(server.url);
    const signedIn = await drive(browser, (await startAuthorization(web, { scope: 'openid' })).url.href, { username: 'erin', password: PASSWORD });
    assert.ok(signedIn.callback.searchParams.get('code'));
    const stepUp = await drive(browser, (await startAuthorization(web, { scope: 'openid', acr_values: ACR_MFA })).url.href, {});
    assert.deepEqual(stepUp.seen, [], 'no enrolment page');
    assert.equal(stepUp.callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  it('refuses to set up a second factor on a session whose sign-in is more than 5 minutes old', async () => {
    const browser = new Browserless(server.url);
    await drive(browser, (await startAuthorization(web, { scope: 'openid' })).url.href, { username: 'bob', password: PASSWORD });
    await openConsole(browser);
    // The sign-in is aged in the store (ACCOUNT_REAUTH_MAX_AGE is judged against auth_time by the
    // system clock, as oidc-provider judges max_age); past the window the page and the form send
    // the browser to sign in again (step-up, console/step-up.ts) instead of answering 403.
    const bob0 = await server.portcullis.accounts.findByUsername('bob');
    await ageSignIn(server, bob0?.id as string, 5 * 60 + 1);
    const page = await browser.request('/account/mfa/enrol');
    assert.equal(page.status, 303);
    assert.equal(new URL(page.headers.get('location') as string).searchParams.get('max_age'), '300');
    // A token this session's forms accept (the status page of a person without a factor has no form; its JSON carries one).
    const { csrf_token: token } = (await (await browser.request('/account/mfa', { headers: { accept: 'application/json' } })).json()) as { csrf_token: string };
    const posted = await browser.postForm('/account/mfa/enrol', { csrf: token, code: '123456' });
    assert.equal(posted.status, 303);
    assert.equal(new URL(posted.headers.get('location') as string).searchParams.get('max_age'), '300');
    const bob = await server.portcullis.accounts.findByUsername('bob');
    assert.deepEqual(await server.portcullis.store.mfa.listByAccount(bob?.id as string), [], 'no secret was made or confirmed');
  });
});
