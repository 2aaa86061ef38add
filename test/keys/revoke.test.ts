/**
 * Revoking a key after a leak, and logging out with an ID token from a key that no longer
 * signs. Driven like an operator and a relying party would: the `portcullis keys` CLI against
 * the running server, openid-client for the protocol, jose for the published JWKS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import { Browserless } from '../support/browserless.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789abcdef';
const API = 'https://api.example.com';
const LOGGED_OUT = 'http://127.0.0.1:9999/logged-out';

describe('key revocation and logout across keys', () => {
  let server: TestServer;
  let web: oidc.Configuration;
  let introspector: oidc.Configuration;
  let machine: oidc.Configuration;

  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, {
      config: () => loadConfig({ OPERATOR_TOKEN, OPERATOR_URL: server.url }),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out, err };
  }

  async function login(params: Record<string, string>, browser = new Browserless(server.url)) {
    const start = await startAuthorization(web, params);
    const callback = await browser.authorize(start.url.href, 'alice', PASSWORD);
    const tokens = await oidc.authorizationCodeGrant(
      web,
      callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      params.resource ? { resource: params.resource } : undefined,
    );
    return { tokens, browser };
  }

  async function jwksKids(): Promise<string[]> {
    const body = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
    return body.keys.map((key) => key.kid);
  }

  async function userinfo(token: string): Promise<{ status: number }> {
    const response = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    await response.arrayBuffer();
    return { status: response.status };
  }

  /** RP-initiated logout with a hint; returns where the browser lands, or the error page. */
  async function logout(browser: Browserless, idToken: string): Promise<{ landed?: URL; status: number; html: string }> {
    const endSession = oidc.buildEndSessionUrl(web, { id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'bye' });
    const page = await browser.follow(endSession.href);
    const html = await page.response.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    if (!xsrf) return { status: page.response.status, html };
    const action = /action="([^"]+)"/.exec(html)?.[1] as string;
    const confirmed = await browser.request(new URL(action, server.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    const landed = await browser.follow(new URL(confirmed.headers.get('location') as string, server.url).href);
    return { landed: new URL(landed.url), status: landed.response.status, html };
  }

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    introspector = await discover(server.url, 'resource-server', 'resource-server-secret-long-enough');
    machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
  });
  after(() => server.close());

  it('revoking a key takes it out of the JWKS at once; a resource server that refetches refuses its tokens', async () => {
    const before = (await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: API })).access_token;
    const kid = decodeProtectedHeader(before).kid as string;
    const verify = (token: string) =>
      // A fresh JWKS set each time: a resource server whose cached copy has just expired.
      jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: API, typ: 'at+jwt' });
    await verify(before);
    assert.ok((await jwksKids()).includes(kid));

    const revoked = await cli('keys', 'revoke', kid);
    assert.equal(revoked.code, 0, revoked.err.join('\n'));
    assert.match(revoked.out.at(-1) ?? '', new RegExp(`revoked ${kid}`));

    assert.equal((await jwksKids()).includes(kid), false);
    await assert.rejects(verify(before), (error: unknown) => (error as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY');
    // A replacement signs at once, and resource servers accept its tokens.
    const after = (await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: API })).access_token;
    assert.notEqual(decodeProtectedHeader(after).kid, kid);
    await verify(after);

    await server.portcullis.audit.flush();
    const [event] = await server.portcullis.store.audit.list({ type: 'key.revoked' });
    assert.deepEqual(event?.detail, { kid, alg: 'ES256', was: 'current' });
  });

  it('our introspection, revocation and userinfo never accept a JWT access token; opaque tokens outlive a key revocation', async () => {
    // oidc-provider does not store JWT access tokens and refuses any JWT at introspection and
    // revocation; userinfo refuses tokens with an audience. So a token of a revoked key cannot
    // be used at them either: resource servers verify JWT access tokens against the JWKS.
    const { tokens } = await login({ resource: API, scope: 'openid read' });
    const jwt = tokens.access_token;
    const opaque = (await login({ scope: 'openid email' })).tokens.access_token;
    const refused = (error: unknown) => (error as { error?: string }).error === 'unsupported_token_type';
    const assertRefused = async () => {
      await assert.rejects(oidc.tokenIntrospection(introspector, jwt), refused);
      await assert.rejects(oidc.tokenRevocation(web, jwt), refused);
      assert.equal((await userinfo(jwt)).status, 401);
    };
    await assertRefused();
    assert.equal((await cli('keys', 'revoke', decodeProtectedHeader(jwt).kid as string)).code, 0);
    await assertRefused();
    // Opaque tokens are not signed: an opaque token issued before the revocation still works.
    assert.equal((await oidc.tokenIntrospection(web, opaque)).active, true);
    assert.equal((await userinfo(opaque)).status, 200);
  });

  it('an ID token signed by a previous key still works as id_token_hint for logout', async () => {
    const { tokens, browser } = await login({ scope: 'openid' });
    const idToken = tokens.id_token as string;
    const kid = decodeProtectedHeader(idToken).kid as string;
    const rotated = await cli('keys', 'rotate', '--alg', 'ES256', '--now', '--json');
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    const states = JSON.parse(rotated.out.join('\n')) as { keys: Array<{ kid: string; state: string }> };
    assert.equal(states.keys.find((key) => key.kid === kid)?.state, 'previous');

    const result = await logout(browser, idToken);
    assert.equal(result.landed && result.landed.origin + result.landed.pathname, LOGGED_OUT, result.html.slice(0, 300));
    assert.equal(result.landed?.searchParams.get('state'), 'bye');
  });

  it('an ID token signed by a revoked key is refused as id_token_hint', async () => {
    const { tokens, browser } = await login({ scope: 'openid' });
    const idToken = tokens.id_token as string;
    assert.equal((await cli('keys', 'revoke', decodeProtectedHeader(idToken).kid as string)).code, 0);
    const result = await logout(browser, idToken);
    assert.equal(result.landed, undefined, 'no logout confirmation, no redirect');
    assert.equal(result.status, 400);
    assert.match(result.html, /id_token_hint/);
  });
});
