/**
 * Passkeys where the product used to name only the authenticator app: the admin API's user view,
 * the person's data export (/account/data, an allow-list: name, dates, backup flags, never the
 * public key), /account/mfa as JSON, and the `mfa_required` answer after a password. The issuer
 * is http://localhost:<port> so passkeys are on; answers come from the software authenticator.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { withConsole } from '../support/console.ts';
import { drive } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { freePort, PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { SoftAuthenticator } from '../support/webauthn.ts';

const OPERATOR_TOKEN = `operator-${randomBytes(24).toString('base64url')}`;

describe('passkeys named beside the authenticator app', () => {
  let server: TestServer;
  let issuer: string;
  let bobId: string;
  let bobsKey: SoftAuthenticator;
  let console: Browserless;

  const postJson = async (browser: Browserless, path: string, body: Record<string, string>) => {
    const response = await browser.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 200, path);
    return ((await response.json()) as { options: { challenge: string } }).options;
  };

  before(async () => {
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    server = await startServer({ port, env: { ISSUER: issuer, OPERATOR_TOKEN } });
    bobId = (await server.portcullis.accounts.findByUsername('bob'))?.id as string;
    const passkeys = server.portcullis.passkeys;
    assert.ok(passkeys, 'passkeys are on for a localhost issuer');
    bobsKey = new SoftAuthenticator('localhost', issuer, { up: true, uv: true, be: true, bs: true });
    const surface = { kind: 'session' as const, id: 'set-up-by-the-test' };
    const options = (await passkeys.registrationOptions({ id: bobId, username: 'bob' }, surface)) as { challenge: string; user: { id: string } };
    await passkeys.register(bobId, surface, bobsKey.register(options), 'Bob phone');

    // Bob signs in password-less with it, then opens the console.
    const rp = await discover(issuer, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(rp);
    console = new Browserless(issuer);
    const login = await console.follow(start.url.href);
    const uid = new URL(login.url).pathname.split('/').pop() as string;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await login.response.text())?.[1] as string;
    const answer = bobsKey.assert(await postJson(console, `/interaction/${uid}/passkey/options`, { csrf }));
    const reply = await console.request(`/interaction/${uid}/passkey`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ csrf, response: JSON.stringify(answer) }).toString(),
    });
    assert.equal(reply.status, 200);
    await drive(console, new URL(((await reply.json()) as { redirect_to: string }).redirect_to, issuer).href, {});
    await withConsole(console);
  });
  after(async () => {
    await server?.close();
  });

  const publicKeyOf = async () => ((await server.portcullis.passkeys?.list(bobId)) ?? [])[0]?.publicKey as string;

  it('the admin user view counts the person’s passkeys and shows none of their keys', async () => {
    const response = await fetch(`${issuer}/admin/v1/users/${bobId}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' } });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.deepEqual((JSON.parse(text) as { mfa: unknown }).mfa, { totp: false, backup_codes: false, passkeys: 1 });
    assert.ok(!text.includes(await publicKeyOf()) && !text.includes(bobsKey.id));
  });

  it('the data export lists each passkey by name, dates and backup flags, and never its public key or id', async () => {
    const response = await console.request('/account/data', { headers: { accept: 'application/json' } });
    assert.equal(response.status, 200);
    const text = await response.text();
    const data = JSON.parse(text) as { passkeys: Record<string, unknown>[] };
    assert.equal(data.passkeys.length, 1);
    const [passkey] = data.passkeys as [Record<string, unknown>];
    assert.deepEqual(Object.keys(passkey).sort(), ['backed_up', 'backup_eligible', 'created_at', 'last_used_at', 'name']);
    assert.equal(passkey.name, 'Bob phone');
    assert.equal(passkey.backup_eligible, true);
    assert.equal(passkey.backed_up, true);
    assert.match(String(passkey.created_at), /^\d{4}-\d\d-\d\dT/);
    assert.match(String(passkey.last_used_at), /^\d{4}-\d\d-\d\dT/, 'the password-less sign-in used it');
    assert.ok(!text.includes(await publicKeyOf()), 'no public key');
    assert.ok(!text.includes(bobsKey.id), 'no full credential id');
  });

  it('/account/mfa as JSON lists the passkeys with the id its forms take, and no public key', async () => {
    const response = await console.request('/account/mfa', { headers: { accept: 'application/json' } });
    assert.equal(response.status, 200);
    const text = await response.text();
    const body = JSON.parse(text) as { enrolled: boolean; passkeys: { id: string; name: string }[] };
    assert.equal(body.enrolled, false, 'no authenticator app');
    assert.deepEqual(
      body.passkeys.map(({ id, name }) => ({ id, name })),
      [{ id: bobsKey.id, name: 'Bob phone' }],
    );
    assert.ok(!text.includes(await publicKeyOf()));
  });

  it('mfa_required tells a person with only a passkey to use it, not to send a TOTP code', async () => {
    // Bob has a passkey, so the default policy asks him for a second factor after his password.
    const rp = await discover(issuer, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(rp);
    const browser = new Browserless(issuer);
    const { url } = await browser.follow(start.url.href);
    const step = (await (await browser.request(url, { headers: { accept: 'application/json' } })).json()) as { uid: string; csrf_token: string };
    const login = await browser.request(`/interaction/${step.uid}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': step.csrf_token },
      body: JSON.stringify({ username: 'bob', password: PASSWORD }),
    });
    assert.equal(login.status, 401);
    const required = (await login.json()) as { error: string; error_description: string; mfa: { url: string; passkey_url?: string } };
    assert.equal(required.error, 'mfa_required');
    assert.equal(required.mfa.passkey_url, `/interaction/${step.uid}/mfa/passkey`);
    assert.match(required.error_description, /passkey/);
    assert.doesNotMatch(required.error_description, /TOTP/);
    // The route it names takes the passkey.
    const options = await postJson(browser, `${required.mfa.passkey_url}/options`, { csrf: step.csrf_token });
    const done = await browser.request(required.mfa.passkey_url as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ csrf: step.csrf_token, response: JSON.stringify(bobsKey.assert(options)) }).toString(),
    });
    assert.equal(done.status, 200);
  });
});
