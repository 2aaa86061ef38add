/**
 * Setting a passkey up as the second factor during sign-in (interactions/passkey/enrol.ts), under
 * the authenticator-app rules: only where the operator requires a second factor (here the `admin`
 * role, MFA_REQUIRED_ROLES), only for someone without one. Answers come from the software
 * authenticator (test/support/webauthn.ts); the issuer is http://localhost:<port>.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { freePort, PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { SoftAuthenticator } from '../support/webauthn.ts';

describe('passkey set-up during sign-in', () => {
  let server: TestServer;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    server = await startServer({ port, env: { ISSUER: issuer, MFA_REQUIRED_ROLES: 'admin' } });
    // Bob (no admin role) already has a passkey.
    const bobId = (await server.portcullis.accounts.findByUsername('bob'))?.id as string;
    const surface = { kind: 'session' as const, id: 'set-up-by-the-test' };
    const passkeys = server.portcullis.passkeys;
    assert.ok(passkeys);
    const options = (await passkeys.registrationOptions({ id: bobId, username: 'bob' }, surface)) as { challenge: string; user: { id: string } };
    await passkeys.register(bobId, surface, new SoftAuthenticator('localhost', issuer).register(options), 'key');
  });
  after(async () => {
    await server?.close();
  });

  async function loginPage() {
    const rp = await discover(issuer, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(rp);
    const browser = new Browserless(issuer);
    const { response } = await browser.follow(start.url.href);
    const html = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\/login"/.exec(html)?.[1] as string;
    assert.ok(csrf && uid);
    return { browser, csrf, uid };
  }

  async function optionsAt(at: { browser: Browserless; csrf: string }, path: string) {
    const response = await at.browser.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: at.csrf }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { options: { challenge: string } }).options;
  }

  it('sets a passkey up as the second factor during sign-in when the operator requires one, and only for someone without one', async () => {
    // Alice holds the `admin` role, which this server requires a second factor for; she has none yet.
    const at = await loginPage();
    const login = await at.browser.postForm(`/interaction/${at.uid}/login`, { csrf: at.csrf, username: 'alice', password: PASSWORD });
    assert.equal(login.headers.get('location'), `/interaction/${at.uid}/mfa`);
    const page = await (await at.browser.request(`/interaction/${at.uid}/mfa`)).text();
    assert.match(page, /Set up a passkey instead/);
    const options = (await optionsAt(at, `/interaction/${at.uid}/mfa/passkey/enrol/options`)) as unknown as { challenge: string; user: { id: string } };
    const alicesKey = new SoftAuthenticator('localhost', issuer, { up: true, uv: false });
    const done = await at.browser.request(`/interaction/${at.uid}/mfa/passkey/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ csrf: at.csrf, response: JSON.stringify(alicesKey.register(options)), name: 'phone' }).toString(),
    });
    assert.equal(done.status, 200, await done.clone().text());
    const aliceId = (await server.portcullis.accounts.findByUsername('alice'))?.id as string;
    assert.deepEqual(
      (await server.portcullis.passkeys?.list(aliceId))?.map((passkey) => passkey.name),
      ['phone'],
    );

    // Bob already has a passkey: the sign-in set-up is not his to use (he signs in with it instead).
    const bobs = await loginPage();
    await bobs.browser.postForm(`/interaction/${bobs.uid}/login`, { csrf: bobs.csrf, username: 'bob', password: PASSWORD });
    const refused = await bobs.browser.request(`/interaction/${bobs.uid}/mfa/passkey/enrol/options`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: bobs.csrf }),
    });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { error: string }).error, 'already_enrolled');
  });
});
