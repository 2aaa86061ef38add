/**
 * Finding 20: back-channel logout to a relying party on loopback. Outside production the
 * provider's refusal of special-use addresses is lifted (OUTBOUND_ALLOW_PRIVATE_ADDRESSES defaults
 * to true); with it false, start-up names each client URI that would be refused and a failed
 * delivery's audit event says why. No test fetch is injected here: the server's own is under test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/index.ts';
import { type Receiver, startReceiver } from '../support/backchannel.ts';
import { auditEvents, signIn } from '../support/families.ts';
import { captureLogger } from '../support/log-capture.ts';
import { CALLBACK, discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, startServer, type TestServer } from '../support/server.ts';

const bootstrapWith = (receiver: Receiver) => ({
  ...DEFAULT_BOOTSTRAP,
  clients: [
    ...DEFAULT_BOOTSTRAP.clients,
    {
      client_id: 'local-rp',
      client_secret: 'local-rp-secret-that-is-long-enough',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
      backchannel_logout_uri: receiver.url,
      backchannel_logout_session_required: true,
    },
  ],
});

/** Signs alice in at local-rp and ends that session at the issuer, which sends the logout token. */
async function signInAndEnd(server: TestServer, rp: oidc.Configuration): Promise<void> {
  await signIn(server, rp, 'alice', undefined, { scope: 'openid' });
  const alice = (await server.portcullis.accounts.findByUsername('alice'))?.id as string;
  const [session] = await server.portcullis.sessions.list(alice);
  assert.ok(session);
  assert.equal(await server.portcullis.sessions.end(alice, session.uid, 'admin'), true);
}

describe('back-channel logout to a relying party on a private address', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  it('a loopback relying party receives the logout token with the development defaults', async () => {
    const server = await startServer({ bootstrap: bootstrapWith(receiver) });
    try {
      const rp = await discover(server.url, 'local-rp', 'local-rp-secret-that-is-long-enough');
      const received = receiver.tokens.length;
      await signInAndEnd(server, rp);
      assert.equal(receiver.tokens.length, received + 1, 'the logout token was delivered');
      const { payload } = await jwtVerify(receiver.tokens.at(-1) as string, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
        issuer: server.url,
        audience: 'local-rp',
      });
      assert.equal(typeof payload.sid, 'string');
      assert.equal((await auditEvents(server, 'backchannel_logout.sent')).length, 1);
    } finally {
      await server.close();
    }
  });

  it('with OUTBOUND_ALLOW_PRIVATE_ADDRESSES=false start-up warns about the URI and the audit event names the refusal', async () => {
    const capture = captureLogger();
    const server = await startServer({
      bootstrap: bootstrapWith(receiver),
      env: { OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'false' },
      options: { logger: capture.logger },
    });
    try {
      const warning = capture.warnings().find((line) => line.client_id === 'local-rp');
      assert.ok(warning, 'start-up names the client');
      assert.equal(warning.uri, receiver.url);
      assert.equal(warning.metadata, 'backchannel_logout_uri');

      const rp = await discover(server.url, 'local-rp', 'local-rp-secret-that-is-long-enough');
      const received = receiver.tokens.length;
      await signInAndEnd(server, rp);
      const [failure] = await auditEvents(server, 'backchannel_logout.error');
      assert.equal(failure?.clientId, 'local-rp');
      assert.equal(failure?.detail?.refused, 'special_use_address');
      assert.match(String(failure?.detail?.error), /special-use/);
      assert.equal(receiver.tokens.length, received, 'nothing was delivered');
    } finally {
      await server.close();
    }
  });

  it('refuses private addresses by default in production, allows them by default elsewhere', () => {
    const production = {
      NODE_ENV: 'production',
      ISSUER: 'http://localhost:1',
      COOKIE_KEYS: 'k'.repeat(40),
      KEY_ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64url'),
    };
    assert.equal(loadConfig(production).outbound.allowPrivateAddresses, false);
    assert.equal(loadConfig({ ...production, OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'true' }).outbound.allowPrivateAddresses, true);
    assert.equal(loadConfig({ NODE_ENV: 'development' }).outbound.allowPrivateAddresses, true);
  });
});
