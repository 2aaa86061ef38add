/**
 * Refresh-token rotation and reuse detection, driven through openid-client: strict mode, the
 * grace window (with an injected clock, so no test waits for it), reuse by another client,
 * back-channel logout on reuse, RFC 7009 revocation, and clients that opted out of rotation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { bearerKey } from '../../../src/oidc/bearer-ids.ts';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../../support/backchannel.ts';
import { Browserless } from '../../support/browserless.ts';
import { auditEvents, familyOf, grantExists, invalidGrant, liveTokens, signIn } from '../../support/families.ts';
import { CALLBACK, discover } from '../../support/rp.ts';
import { DEFAULT_BOOTSTRAP, startServer, type TestServer } from '../../support/server.ts';

const SCOPE = 'openid profile email offline_access';

function bootstrap(receiver: Receiver) {
  return {
    ...DEFAULT_BOOTSTRAP,
    clients: [
      ...DEFAULT_BOOTSTRAP.clients,
      backchannelClient(receiver, SCOPE),
      {
        client_id: 'steady-app',
        client_secret: 'steady-app-secret-that-is-long-enough',
        client_name: 'Steady App',
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: SCOPE,
        refresh_token_rotation: false,
      },
    ],
  };
}

describe('refresh tokens, strict (no grace window)', () => {
  let server: TestServer;
  let receiver: Receiver;
  let web: oidc.Configuration;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({ bootstrap: bootstrap(receiver), options: { fetch: loopbackFetch } });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('rotates on every use; using a token twice revokes the whole family and is audited', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.deepEqual(await liveTokens(server, grantId), [bearerKey(second.refresh_token as string)]);

    await assert.rejects(oidc.refreshTokenGrant(web, first.refresh_token as string), invalidGrant);

    // Everything derived from the grant is gone: the newest refresh token and the access tokens.
    await assert.rejects(oidc.refreshTokenGrant(web, second.refresh_token as string), invalidGrant);
    assert.equal((await oidc.tokenIntrospection(web, second.access_token)).active, false);
    assert.equal(await grantExists(server, grantId), false);
    assert.deepEqual(await liveTokens(server, grantId), []);

    const [event] = await auditEvents(server, 'refresh_token.reuse_detected');
    assert.ok(event);
    assert.equal(event.clientId, 'web-app');
    assert.equal(event.accountId, (await server.portcullis.accounts.findByUsername('alice'))?.id);
    assert.equal(event.ip, '127.0.0.1');
    assert.equal(event.detail?.reason, 'replayed');
    assert.equal(event.detail?.grantId, grantId);
  });

  it('revokes the family when another client presents the token, and refuses that client', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const other = await discover(server.url, 'first-party', 'first-party-secret-that-is-long-enough');
    await assert.rejects(oidc.refreshTokenGrant(other, first.refresh_token as string), invalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(web, first.refresh_token as string), invalidGrant);
    assert.equal(await grantExists(server, grantId), false);
    const events = await auditEvents(server, 'refresh_token.reuse_detected');
    const event = events.find((candidate) => candidate.detail?.grantId === grantId);
    assert.equal(event?.clientId, 'first-party');
    assert.equal(event?.detail?.issuedTo, 'web-app');
    assert.equal(event?.detail?.reason, 'other_client');
  });

  it('sends back-channel logout for the session the reused family came from', async () => {
    const bcl = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
    const first = await signIn(server, bcl);
    const stored = await server.portcullis.store.model('RefreshToken').find(bearerKey(first.refresh_token as string));
    await oidc.refreshTokenGrant(bcl, first.refresh_token as string);
    const delivered = receiver.next();
    await assert.rejects(oidc.refreshTokenGrant(bcl, first.refresh_token as string), invalidGrant);
    const token = await delivered;
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
      issuer: server.url,
      audience: 'bcl-app',
    });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.equal(payload.sub, first.claims()?.sub);
    assert.equal(payload.sid, stored?.sid);
    assert.ok((payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
    const sent = await auditEvents(server, 'backchannel_logout.sent');
    assert.ok(sent.some((event) => event.clientId === 'bcl-app' && event.detail?.reason === 'refresh_token_reuse'));
  });

  it('revokes the whole family when a refresh token is revoked (RFC 7009)', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    await oidc.tokenRevocation(web, second.refresh_token as string, { token_type_hint: 'refresh_token' });
    assert.equal((await oidc.tokenIntrospection(web, second.access_token)).active, false);
    await assert.rejects(oidc.refreshTokenGrant(web, second.refresh_token as string), invalidGrant);
    assert.equal(await grantExists(server, grantId), false);
    assert.deepEqual(await liveTokens(server, grantId), []);
  });

  it('a new sign-in to the same client in the same browser retires the older family token', async () => {
    const browser = new Browserless(server.url);
    const first = await signIn(server, web, 'alice', browser);
    const grantId = await familyOf(server, first.refresh_token);
    const second = await signIn(server, web, 'alice', browser);
    assert.equal(await familyOf(server, second.refresh_token), grantId, 'one grant per client and browser session');
    assert.deepEqual(await liveTokens(server, grantId), [bearerKey(second.refresh_token as string)]);
    await assert.rejects(oidc.refreshTokenGrant(web, first.refresh_token as string), invalidGrant);
    assert.ok(await oidc.refreshTokenGrant(web, second.refresh_token as string), 'the newest family token still works');
  });

  it('keeps one token for a client registered with refresh_token_rotation: false', async () => {
    const steady = await discover(server.url, 'steady-app', 'steady-app-secret-that-is-long-enough');
    const first = await signIn(server, steady);
    const again = await oidc.refreshTokenGrant(steady, first.refresh_token as string);
    const third = await oidc.refreshTokenGrant(steady, first.refresh_token as string);
    assert.equal(again.refresh_token ?? first.refresh_token, first.refresh_token);
    assert.ok(third.access_token);
  });
});

describe('refresh tokens with a 30-second grace window', () => {
  let server: TestServer;
  let receiver: Receiver;
  let web: oidc.Configuration;
  let offset = 0;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      bootstrap: bootstrap(receiver),
      env: { REFRESH_REUSE_GRACE_SECONDS: '30' },
      options: { fetch: loopbackFetch, now: () => Date.now() + offset },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('gives a retry of the just-rotated token a working pair, and keeps one live token', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const lost = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    // The client never saw `lost`, and retries with the token it has.
    const retried = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    assert.ok(retried.access_token);
    assert.notEqual(retried.refresh_token, lost.refresh_token);
    assert.deepEqual(await liveTokens(server, grantId), [bearerKey(retried.refresh_token as string)]);
    assert.equal(await grantExists(server, grantId), true);

    // The retired successor is refused without revoking anything; the new pair keeps working.
    await assert.rejects(oidc.refreshTokenGrant(web, lost.refresh_token as string), invalidGrant);
    const next = await oidc.refreshTokenGrant(web, retried.refresh_token as string);
    assert.deepEqual(await liveTokens(server, grantId), [bearerKey(next.refresh_token as string)]);
    assert.ok((await auditEvents(server, 'refresh_token.grace_retry')).some((event) => event.detail?.grantId === grantId));
    assert.ok(!(await auditEvents(server, 'refresh_token.reuse_detected')).some((event) => event.detail?.grantId === grantId));
  });

  it('treats the same retry after the window as theft and revokes the family', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    offset += 31_000;
    await assert.rejects(oidc.refreshTokenGrant(web, first.refresh_token as string), invalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(web, second.refresh_token as string), invalidGrant);
    assert.equal(await grantExists(server, grantId), false);
    const event = (await auditEvents(server, 'refresh_token.reuse_detected')).find((candidate) => candidate.detail?.grantId === grantId);
    assert.equal(event?.detail?.reason, 'replayed');
  });

  it('treats a replay of a token whose successor was already used as theft, inside the window', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    const third = await oidc.refreshTokenGrant(web, second.refresh_token as string);
    await assert.rejects(oidc.refreshTokenGrant(web, first.refresh_token as string), invalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(web, third.refresh_token as string), invalidGrant);
    assert.equal(await grantExists(server, grantId), false);
    const event = (await auditEvents(server, 'refresh_token.reuse_detected')).find((candidate) => candidate.detail?.grantId === grantId);
    assert.equal(event?.detail?.reason, 'stale');
  });

  it('treats another client presenting the just-rotated token as theft, inside the window', async () => {
    const first = await signIn(server, web);
    const grantId = await familyOf(server, first.refresh_token);
    const second = await oidc.refreshTokenGrant(web, first.refresh_token as string);
    const other = await discover(server.url, 'first-party', 'first-party-secret-that-is-long-enough');
    await assert.rejects(oidc.refreshTokenGrant(other, first.refresh_token as string), invalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(web, second.refresh_token as string), invalidGrant);
    assert.equal(await grantExists(server, grantId), false);
  });
});
