/**
 * Admin tokens as real clients obtain them: client credentials with `resource=<ISSUER>/admin/v1`
 * (scopes = requested ∩ the client's admin_scopes) and the code flow with a second factor
 * (requested ∩ admin_scopes ∩ the person's admin_roles), JWTs for that audience that the admin
 * API accepts; a client without admin_scopes gets invalid_target in every grant; a person without
 * a second factor gets unmet_authentication_requirements and is never led into enrolment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { adminResourceOf } from '../../src/rbac/scopes.ts';
import { ADMIN_BOOTSTRAP, CONSOLE, OPS } from '../support/admin.ts';
import { Browserless } from '../support/browserless.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('admin tokens', () => {
  const clock = new TestClock();
  let server: TestServer;
  let resource: string;
  let ops: oidc.Configuration;
  let console_: oidc.Configuration;
  const secrets: Record<string, string> = {};

  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP, env: { ADMIN_TOKEN_TTL: '2m' }, options: { now: clock.now } });
    resource = adminResourceOf(server.url);
    ops = await discover(server.url, OPS.client_id, OPS.secret, oidc.ClientSecretPost(OPS.secret));
    console_ = await discover(server.url, CONSOLE.client_id, CONSOLE.secret);
    for (const name of ['hanna', 'ivan']) secrets[name] = (await enrolDirectly(server, name, clock)).secret;
  });
  after(() => server.close());

  const call = (token: string, path: string) =>
    fetch(`${server.url}/admin/v1${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  async function signIn(username: string, scope: string, options: { code?: boolean; config?: oidc.Configuration } = {}) {
    const config = options.config ?? console_;
    const start = await startAuthorization(config, { scope, resource, prompt: 'login' });
    const result = await drive(new Browserless(server.url), start.url.href, {
      username,
      password: PASSWORD,
      ...(options.code === false ? {} : { code: () => totpAt(secrets[username] as string, clock) }),
    });
    return { result, start, config };
  }

  const redeemFor = (target: string, callback: URL, start: Awaited<ReturnType<typeof startAuthorization>>, config = console_) =>
    oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource: target },
    );

  describe('client credentials', () => {
    it('gives a client the requested scopes it has in admin_scopes, as an ES256 at+jwt for the admin API', async () => {
      const tokens = await oidc.clientCredentialsGrant(ops, { resource, scope: 'users:read keys:read users:write clients:read' });
      assert.equal(tokens.scope, 'users:read keys:read');
      const header = decodeProtectedHeader(tokens.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims.aud, resource);
      assert.equal(claims.iss, server.url);
      assert.equal(claims.sub, OPS.client_id);
      assert.equal(claims.client_id, OPS.client_id);
      assert.equal(claims.auth_time, undefined, 'a client token names no sign-in');
      assert.equal((claims.exp as number) - (claims.iat as number), 120, 'ADMIN_TOKEN_TTL');
      assert.equal((await call(tokens.access_token, '/keys')).status, 200);
    });

    it('refuses a client without admin_scopes with invalid_target', async () => {
      const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
      await assert.rejects(oidc.clientCredentialsGrant(machine, { resource, scope: 'users:read' }), (error: oidc.ResponseBodyError) => {
        assert.equal(error.error, 'invalid_target');
        return true;
      });
      // The same client still gets tokens for an ordinary API.
      const ordinary = await oidc.clientCredentialsGrant(machine, { resource: 'https://api.example.com', scope: 'read' });
      assert.equal(ordinary.scope, 'read');
    });
  });

  describe('code flow with a second factor', () => {
    it('gives a person requested ∩ the client admin_scopes ∩ their admin_roles, with auth_time', async () => {
      const { result, start } = await signIn('hanna', 'openid users:read users:write users:mfa sessions:read keys:read');
      assert.deepEqual(result.seen, ['login', 'mfa']);
      const tokens = await redeemFor(resource, result.callback, start);
      // helpdesk: users:read users:mfa sessions:* lockout:*; the console: no sessions:*; users:write and keys:read are not helpdesk's.
      assert.deepEqual(tokens.scope?.split(' ').sort(), ['users:mfa', 'users:read']);
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims.aud, resource);
      assert.equal(claims.sub, (await server.portcullis.accounts.findByUsername('hanna'))?.id);
      assert.equal(typeof claims.auth_time, 'number');
      assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
      assert.equal((await call(tokens.access_token, '/lockout?username=bob')).status, 403, 'the console has lockout:read but hanna did not ask for it');
    });

    it('refuses a person without a second factor with unmet_authentication_requirements, and never offers enrolment', async () => {
      const { result } = await signIn('judy', 'openid users:read', { code: false });
      assert.deepEqual(result.seen, ['login']);
      assert.equal(result.callback.searchParams.get('error'), 'unmet_authentication_requirements');
      const judy = await server.portcullis.accounts.findByUsername('judy');
      assert.equal(await server.portcullis.mfa.isEnrolled(judy?.id as string), false);
    });
  });
});

describe('admin tokens with ADMIN_REQUIRE_MFA=false', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP, env: { ADMIN_REQUIRE_MFA: 'false', MFA_POLICY: 'when_required' } });
  });
  after(() => server.close());

  it('gives a person without a second factor an admin token within their roles, with auth_time', async () => {
    const resource = adminResourceOf(server.url);
    const config = await discover(server.url, CONSOLE.client_id, CONSOLE.secret);
    const start = await startAuthorization(config, { scope: 'openid users:read users:write', resource, prompt: 'login' });
    const result = await drive(new Browserless(server.url), start.url.href, { username: 'judy', password: PASSWORD });
    assert.deepEqual(result.seen, ['login']);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      result.callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource },
    );
    assert.equal(tokens.scope, 'users:read', 'auditor reads only');
    assert.equal(typeof decodeJwt(tokens.access_token).auth_time, 'number');
  });
});

describe('signing keys outlive admin tokens', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { ADMIN_TOKEN_TTL: '3h', ACCESS_TOKEN_TTL: '10m', ID_TOKEN_TTL: '10m', KEY_SYNC_INTERVAL: '30s' } });
  });
  after(() => server.close());

  it('a key that stops signing stays published at least ADMIN_TOKEN_TTL, the longest token it may have signed', async () => {
    const [previous] = await server.portcullis.keys
      .rotate({ alg: 'ES256', immediate: true })
      .then(async () => (await server.portcullis.keys.list()).filter((key) => key.alg === 'ES256' && key.deactivatedAt && key.retiresAt));
    assert.ok(previous, 'the key that signed until now');
    const kept = ((previous.retiresAt as Date).getTime() - (previous.deactivatedAt as Date).getTime()) / 1000;
    assert.ok(kept >= 3 * 3600, `kept ${kept} s`);
  });
});

describe('admin tokens on a session that already exists', () => {
  const clock = new TestClock();
  let server: TestServer;
  let config: oidc.Configuration;
  let resource: string;
  let secret: string;
  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP, env: { MFA_POLICY: 'when_required' }, options: { now: clock.now } });
    config = await discover(server.url, CONSOLE.client_id, CONSOLE.secret);
    resource = adminResourceOf(server.url);
    secret = (await enrolDirectly(server, 'ivan', clock)).secret;
  });
  after(() => server.close());

  /** Signs in without the admin API (password only), then asks for it in the same browser. */
  async function thenAskForAdmin(username: string) {
    const browser = new Browserless(server.url);
    const plain = await startAuthorization(config, { scope: 'openid' });
    plain.url.searchParams.delete('prompt');
    assert.deepEqual((await drive(browser, plain.url.href, { username, password: PASSWORD })).seen, ['login'], 'a password was enough');
    const start = await startAuthorization(config, { scope: 'openid users:read', resource });
    start.url.searchParams.delete('prompt');
    clock.advance(30);
    const result = await drive(browser, start.url.href, { code: () => totpAt(secret, clock) });
    return { result, start };
  }

  it('asks a password-only session for the second factor (step-up) before an admin token', async () => {
    const { result, start } = await thenAskForAdmin('ivan');
    assert.deepEqual(result.seen, ['mfa']);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      result.callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource },
    );
    assert.equal(tokens.scope, 'users:read');
  });

  it('ends a password-only session’s request with unmet_authentication_requirements when the person has no second factor', async () => {
    const { result } = await thenAskForAdmin('judy');
    assert.deepEqual(result.seen, []);
    assert.equal(result.callback.searchParams.get('error'), 'unmet_authentication_requirements');
  });
});
