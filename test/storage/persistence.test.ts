/** The embedded store keeps everything a person and a client rely on across a restart. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Browserless } from '../support/browserless.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer } from '../support/server.ts';

describe('restart on the embedded store', () => {
  it('keeps users, clients, grants, sessions and signing keys', async () => {
    let server = await startServer();
    try {
      const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
      const browser = new Browserless(server.url);
      const start = await startAuthorization(web);
      const tokens = await redeem(web, await browser.authorize(start.url.href, 'alice', PASSWORD), start);
      const jwksBefore = await (await fetch(`${server.url}/jwks`)).json();

      server = await server.restart();

      assert.deepEqual(await (await fetch(`${server.url}/jwks`)).json(), jwksBefore, 'same signing keys');
      const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
      await jwtVerify(tokens.id_token as string, jwks, { issuer: server.url, audience: 'web-app' });
      const again = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
      const refreshed = await oidc.refreshTokenGrant(again, tokens.refresh_token as string);
      assert.ok(refreshed.access_token, 'grant and refresh token survived');
      // The browser session survived: no password is asked for.
      const second = await startAuthorization(again, { scope: 'openid', prompt: '' });
      const landed = await browser.follow(second.url.href);
      assert.ok(new URL(landed.url).searchParams.get('code'), 'signed in without a password');
      // The user survived: the password still works in a fresh browser.
      const fresh = await startAuthorization(again, { scope: 'openid' });
      const callback = await new Browserless(server.url).authorize(fresh.url.href, 'alice', PASSWORD);
      assert.ok(callback.searchParams.get('code'));
    } finally {
      await server.close();
    }
  });
});
