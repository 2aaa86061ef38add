/** Looking inside the store at refresh-token families, for assertions a client cannot make itself. */
import assert from 'node:assert/strict';
import type * as oidc from 'openid-client';
import { bearerKey } from '../../src/oidc/bearer-ids.ts';
import type { AuditRecord } from '../../src/storage/port.ts';
import { Browserless } from './browserless.ts';
import { redeem, startAuthorization } from './rp.ts';
import { PASSWORD, type TestServer } from './server.ts';

/** Signs a person in through the pages and redeems the code: a fresh refresh-token family. */
export async function signIn(
  server: TestServer,
  config: oidc.Configuration,
  username = 'alice',
  browser = new Browserless(server.url),
  params: Record<string, string> = {},
): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
  const start = await startAuthorization(config, params);
  const callback = await browser.authorize(start.url.href, username, PASSWORD);
  return redeem(config, callback, start);
}

/** The grant (family) a refresh token belongs to; opaque refresh tokens are stored under their digest. */
export async function familyOf(server: TestServer, refreshToken: string | undefined): Promise<string> {
  assert.ok(refreshToken, 'a refresh token was issued');
  const payload = await server.portcullis.store.model('RefreshToken').find(bearerKey(refreshToken));
  assert.equal(typeof payload?.grantId, 'string');
  return payload?.grantId as string;
}

/** Refresh tokens of the family that are stored, unexpired and not yet used, by stored id (bearerKey of the value). */
export async function liveTokens(server: TestServer, grantId: string): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const records = await server.portcullis.store.model('RefreshToken').findByGrantId(grantId);
  return records
    .filter((record) => record.payload.consumed === undefined && !(typeof record.payload.exp === 'number' && record.payload.exp <= now))
    .map((record) => record.id);
}

export async function grantExists(server: TestServer, grantId: string): Promise<boolean> {
  return (await server.portcullis.store.model('Grant').find(grantId)) !== undefined;
}

export async function auditEvents(server: TestServer, type: string): Promise<AuditRecord[]> {
  await server.portcullis.audit.flush();
  return server.portcullis.store.audit.list({ type });
}

export function invalidGrant(error: unknown): true {
  assert.equal((error as { error?: string }).error, 'invalid_grant', String(error));
  return true;
}
