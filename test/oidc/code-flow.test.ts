/**
 * The protocol as a relying party and a resource server see it, driven by openid-client and
 * verified with jose against the live JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { CALLBACK, discover, redeem, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('authorization code flow with a real client', () => {
  let server: TestServer;
  let web: oidc.Configuration;
  let privateKey: CryptoKey;

  before(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: 'rp-key-1' };
    server = await startServer({
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [
          ...DEFAULT_BOOTSTRAP.clients,
          {
            client_id: 'jwt-client',
            client_name: 'JWT Client',
            token_endpoint_auth_method: 'private_key_jwt',
            token_endpoint_auth_signing_alg: 'ES256',
            jwks: { keys: [publicJwk] },
            redirect_uris: [CALLBACK],
            grant_types: ['authorization_code'],
          },
        ],
      },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  async function login(config: oidc.Configuration, params: Record<string, string> = {}, username = 'alice') {
    const start = await startAuthorization(config, params);
    const callback = await new Browserless(server.url).authorize(start.url.href, username, PASSWORD);
    return { start, callback };
  }

  it('logs in with code + PKCE and returns a verifiable ID token', async () => {
    const { start, callback } = await login(web);
    assert.ok(callback.searchParams.get('code'));
    const tokens = await redeem(web, callback, start);
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, server.url);
    assert.equal(claims.aud, 'web-app');
    assert.deepEqual(claims.amr, ['pwd']);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, { issuer: server.url, audience: 'web-app' });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  });

  it('serves userinfo with the claims the scopes allow', async () => {
    const { start, callback } = await login(web, { scope: 'openid email' });
    const tokens = await redeem(web, callback, start);
    const sub = tokens.claims()?.sub as string;
    const info = await oidc.fetchUserInfo(web, tokens.access_token, sub);
    assert.equal(info.email, 'alice@example.com');
    assert.equal(info.name, undefined, 'profile was not asked for');
    assert.equal(info.roles, undefined, 'roles were not asked for');
  });

  it('refreshes, rotating the refresh token', async () => {
    const { start, callback } = await login(web);
    const tokens = await redeem(web, callback, start);
    const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    assert.ok(refreshed.access_token);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  });

  it('refuses a replayed authorization code', async () => {
    const { start, callback } = await login(web);
    await redeem(web, callback, start);
    await assert.rejects(redeem(web, callback, start), (error: unknown) => {
      assert.equal((error as { error?: string }).error, 'invalid_grant');
      return true;
    });
  });

  it('issues an RFC 9068 JWT access token for a resource, verifiable offline', async () => {
    const { start, callback } = await login(web, { resource: 'https://api.example.com', scope: 'openid read' });
    const tokens = await oidc.authorizationCodeGrant(
      web,
      callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource: 'https://api.example.com' },
    );
    const accessToken = tokens.access_token;
    assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(accessToken, jwks, { issuer: server.url, audience: 'https://api.example.com', typ: 'at+jwt' });
    assert.equal(payload.client_id, 'web-app');
    assert.match(String(payload.scope), /read/);
  });

  it('introspects and revokes tokens', async () => {
    const { start, callback } = await login(web);
    const tokens = await redeem(web, callback, start);
    const before = await oidc.tokenIntrospection(web, tokens.access_token);
    assert.equal(before.active, true);
    assert.equal(before.client_id, 'web-app');
    await oidc.tokenRevocation(web, tokens.access_token);
    const afterRevoke = await oidc.tokenIntrospection(web, tokens.access_token);
    assert.equal(afterRevoke.active, false);
    const bogus = await oidc.tokenIntrospection(web, 'not-a-token');
    assert.equal(bogus.active, false);
  });

  it('issues client-credentials tokens: JWT for a JWT resource, opaque otherwise', async () => {
    const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
    const jwt = await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: 'https://api.example.com' });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(jwt.access_token, jwks, { issuer: server.url, audience: 'https://api.example.com' });
    assert.equal(payload.client_id, 'machine');
    assert.equal(payload.sub, 'machine');
    const opaque = await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: 'https://opaque.example.com' });
    assert.equal(opaque.access_token.split('.').length, 1, 'opaque tokens are not JWTs');
    await assert.rejects(oidc.clientCredentialsGrant(machine, { scope: 'read', resource: 'https://unknown.example.com' }), (error: unknown) => {
      assert.equal((error as { error?: string }).error, 'invalid_target');
      return true;
    });
  });

  it('rejects a wrong client secret with invalid_client', async () => {
    const wrong = await discover(server.url, 'web-app', 'not-the-secret');
    const { start, callback } = await login(web);
    await assert.rejects(redeem(wrong, callback, start), (error: unknown) => {
      const described = error as { error?: string; cause?: Array<{ parameters?: { error?: string } }> };
      assert.equal(described.error ?? described.cause?.[0]?.parameters?.error, 'invalid_client');
      return true;
    });
  });

  it('authenticates a client with private_key_jwt', async () => {
    const client = await discover(server.url, 'jwt-client', undefined, oidc.PrivateKeyJwt({ key: privateKey, kid: 'rp-key-1' }));
    const { start, callback } = await login(client, { scope: 'openid' });
    const tokens = await redeem(client, callback, start);
    assert.ok(tokens.id_token);
  });

  it('serves a public client with PKCE and no secret', async () => {
    const spa = await discover(server.url, 'spa');
    const { start, callback } = await login(spa, { scope: 'openid profile' });
    const tokens = await redeem(spa, callback, start);
    assert.equal(tokens.claims()?.aud, 'spa');
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: CALLBACK, scope: 'openid', state: 's' });
    const { url: landed } = await new Browserless(server.url).follow(url.href);
    const result = new URL(landed);
    assert.equal(result.searchParams.get('error'), 'invalid_request');
    assert.match(result.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('supports pushed authorization requests', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = await oidc.buildAuthorizationUrlWithPAR(web, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    assert.ok(url.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'));
    const callback = await new Browserless(server.url).authorize(url.href, 'alice', PASSWORD);
    const tokens = await oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: verifier, expectedState: state });
    assert.ok(tokens.access_token);
  });

  it('binds tokens to a DPoP key', async () => {
    const dpop = oidc.getDPoPHandle(web, await oidc.randomDPoPKeyPair('ES256'));
    const { start, callback } = await login(web, { scope: 'openid email' });
    const tokens = await redeem(web, callback, start, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const info = await oidc.fetchUserInfo(web, tokens.access_token, tokens.claims()?.sub as string, { DPoP: dpop });
    assert.equal(info.email, 'alice@example.com');
    // Without the proof the bound token is useless.
    await assert.rejects(oidc.fetchUserInfo(web, tokens.access_token, tokens.claims()?.sub as string));
  });

  it('logs out through RP-initiated logout', async () => {
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid' });
    const callback = await browser.authorize(start.url.href, 'alice', PASSWORD);
    const tokens = await redeem(web, callback, start);
    const endSession = oidc.buildEndSessionUrl(web, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: 'http://127.0.0.1:9999/logged-out',
      state: 'bye',
    });
    const page = await browser.follow(endSession.href);
    const html = await page.response.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    assert.ok(xsrf, 'the logout confirmation form is shown');
    const action = /action="([^"]+)"/.exec(html)?.[1] as string;
    const confirmed = await browser.request(new URL(action, server.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    const landed = await browser.follow(new URL(confirmed.headers.get('location') as string, server.url).href);
    const final = new URL(landed.url);
    assert.equal(final.origin + final.pathname, 'http://127.0.0.1:9999/logged-out');
    assert.equal(final.searchParams.get('state'), 'bye');
    // The browser session is gone: a new authorization asks for the password again.
    const again = await startAuthorization(web, { scope: 'openid', prompt: 'login' });
    const loginPage = await browser.follow(again.url.href);
    assert.match(await loginPage.response.text(), /name="password"/);
  });
});
