/**
 * Passkeys over HTTP, without a browser: answers built by the software authenticator
 * (test/support/webauthn.ts) against an issuer at http://localhost:<port>. Bad input is a 4xx
 * with a stable code, never a 500; password-less failures count per address and never against
 * the person whose credential id was sent; after the password they count per person.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACR_PHR } from '../../src/mfa/acr.ts';
import { Browserless } from '../support/browserless.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { freePort, PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { SoftAuthenticator } from '../support/webauthn.ts';

describe('passkeys over HTTP', () => {
  let server: TestServer;
  let issuer: string;
  let bobId: string;
  let bobsKey: SoftAuthenticator;

  before(async () => {
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    server = await startServer({ port, env: { ISSUER: issuer } });
    bobId = (await server.portcullis.accounts.findByUsername('bob'))?.id as string;
    const passkeys = server.portcullis.passkeys;
    assert.ok(passkeys, 'passkeys are on for a localhost issuer');
    bobsKey = new SoftAuthenticator('localhost', issuer);
    const surface = { kind: 'session' as const, id: 'set-up-by-the-test' };
    const options = (await passkeys.registrationOptions({ id: bobId, username: 'bob' }, surface)) as { challenge: string; user: { id: string } };
    await passkeys.register(bobId, surface, bobsKey.register(options), 'security key');
  });
  after(async () => {
    await server?.close();
  });

  /** A fresh login page: its browser, uid and CSRF token. */
  async function loginPage(params: Record<string, string> = {}) {
    const rp = await discover(issuer, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(rp, params);
    const browser = new Browserless(issuer);
    const { response } = await browser.follow(start.url.href);
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\/passkey"/.exec(html)?.[1] as string;
    assert.ok(csrf && uid, 'the login page offers a passkey');
    return { browser, csrf, uid, html };
  }

  async function optionsAt(at: { browser: Browserless; csrf: string }, path: string) {
    const response = await at.browser.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: at.csrf }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { options: { challenge: string } }).options;
  }

  async function answer(at: { browser: Browserless; csrf: string }, path: string, response: string) {
    const reply = await at.browser.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ csrf: at.csrf, response }).toString(),
    });
    const body = (await reply.json().catch(() => ({}))) as { error?: string };
    return { status: reply.status, error: body.error };
  }

  it('answers that are not WebAuthn are 400 invalid_response, never a 500', async () => {
    const at = await loginPage();
    const bad = [
      'not json',
      '{}',
      '[]',
      'null',
      JSON.stringify({ id: { $ne: 1 }, rawId: 'x', type: 'public-key', response: {} }),
      JSON.stringify({
        ...bobsKey.assert({ challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
        response: { clientDataJSON: '!!', authenticatorData: '', signature: '' },
      }),
    ];
    for (const response of bad)
      assert.deepEqual(await answer(at, `/interaction/${at.uid}/passkey`, response), { status: 400, error: 'invalid_response' }, response);
    const clientData = Buffer.from('{"type":"webauthn.get"}').toString('base64url');
    const noChallenge = JSON.stringify({
      ...bobsKey.assert({ challenge: 'x' }),
      response: { clientDataJSON: clientData, authenticatorData: 'AA', signature: 'AA' },
    });
    assert.deepEqual(await answer(at, `/interaction/${at.uid}/passkey`, noChallenge), { status: 400, error: 'invalid_response' });
  });

  it('an answer from an unknown passkey is 401 credential_unknown', async () => {
    const at = await loginPage();
    const options = await optionsAt(at, `/interaction/${at.uid}/passkey/options`);
    const stranger = new SoftAuthenticator('localhost', issuer);
    assert.deepEqual(await answer(at, `/interaction/${at.uid}/passkey`, JSON.stringify(stranger.assert(options))), {
      status: 401,
      error: 'credential_unknown',
    });
  });

  it('failed password-less answers naming a person’s passkey never count against that person', async () => {
    const at = await loginPage();
    const forger = new SoftAuthenticator('localhost', issuer);
    for (let i = 0; i < 8; i++) {
      const options = await optionsAt(at, `/interaction/${at.uid}/passkey/options`);
      // Bob's credential id, someone else's key: the signature cannot verify.
      const forged = forger.assert(options, { credentialId: bobsKey.id });
      assert.deepEqual(await answer(at, `/interaction/${at.uid}/passkey`, JSON.stringify(forged)), { status: 401, error: 'signature_invalid' });
    }
    const person = await server.portcullis.lockout.check('mfa.person', { person: bobId });
    assert.equal(person.failures, 0);
    const address = await server.portcullis.lockout.check('login.ip', { ip: '127.0.0.1' });
    assert.ok(address.failures >= 8, `login.ip counted ${address.failures}`);
  });

  it('after the password a failed passkey counts for the person, and a good one completes the sign-in', async () => {
    const at = await loginPage();
    const login = await at.browser.postForm(`/interaction/${at.uid}/login`, { csrf: at.csrf, username: 'bob', password: PASSWORD });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), `/interaction/${at.uid}/mfa`);
    const page = await (await at.browser.request(`/interaction/${at.uid}/mfa`)).text();
    assert.match(page, /Use a passkey/);
    const before = (await server.portcullis.lockout.check('mfa.person', { person: bobId })).failures;
    const wrong = await optionsAt(at, `/interaction/${at.uid}/mfa/passkey/options`);
    const forged = new SoftAuthenticator('localhost', issuer).assert(wrong, { credentialId: bobsKey.id });
    assert.deepEqual(await answer(at, `/interaction/${at.uid}/mfa/passkey`, JSON.stringify(forged)), { status: 401, error: 'signature_invalid' });
    assert.equal((await server.portcullis.lockout.check('mfa.person', { person: bobId })).failures, before + 1);
    const options = await optionsAt(at, `/interaction/${at.uid}/mfa/passkey/options`);
    const done = await at.browser.request(`/interaction/${at.uid}/mfa/passkey`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ csrf: at.csrf, response: JSON.stringify(bobsKey.assert(options)) }).toString(),
    });
    assert.equal(done.status, 200);
    assert.match(((await done.json()) as { redirect_to: string }).redirect_to, /\/auth\//);
    assert.equal((await server.portcullis.lockout.check('mfa.person', { person: bobId })).failures, 0);
  });

  it('advertises phr, serves the passkey scripts from its own origin, and keeps the login page free of inline script', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { acr_values_supported: string[] };
    assert.ok(metadata.acr_values_supported.includes(ACR_PHR));
    for (const path of ['/assets/webauthn.js', '/assets/passkeys.js']) {
      const script = await fetch(`${issuer}${path}`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.match(script.headers.get('cache-control') ?? '', /public, max-age=3600/);
    }
    const at = await loginPage();
    assert.match(at.html, /<script src="\/assets\/webauthn.js" defer><\/script>/);
    assert.doesNotMatch(at.html, /<script(?![^>]*\ssrc=)[^>]*>/);
    assert.match(at.html, /autocomplete="username webauthn"/);
    // Without JavaScript the passkey form stays hidden and a note says why.
    assert.match(at.html, /<form[^>]*class="passkey"[^>]*hidden>/);
    assert.match(at.html, /<noscript>/);
  });

  it('a client asking for phr finds no password form, and a password sign-in still needs the passkey', async () => {
    const at = await loginPage({ acr_values: ACR_PHR });
    assert.doesNotMatch(at.html, /name="password"/);
    const login = await at.browser.postForm(`/interaction/${at.uid}/login`, { csrf: at.csrf, username: 'bob', password: PASSWORD });
    assert.equal(login.headers.get('location'), `/interaction/${at.uid}/mfa`);
    const page = await (await at.browser.request(`/interaction/${at.uid}/mfa`)).text();
    assert.match(page, /Use a passkey/);
    assert.doesNotMatch(page, /name="code"/);
  });
});
