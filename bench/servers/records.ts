/**
 * Stored records for the memory scenario, shaped like the payloads oidc-provider saves after a
 * login with `openid profile email offline_access` (field names and sizes as in v9): one browser
 * session, and per login a grant, a refresh token and an opaque access token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { USER_SCOPE, WEB } from '../fixtures.ts';

export interface StoredRecord {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  expiresIn: number;
}

/** oidc-provider ids are 43 characters of base64url (256 random bits). */
const tokenId = () => randomBytes(32).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const DAY = 86_400;

export function sessionRecord(accountId: string): StoredRecord {
  const id = tokenId();
  const iat = now();
  return {
    model: 'Session',
    id,
    expiresIn: 14 * DAY,
    payload: {
      iat,
      exp: iat + 14 * DAY,
      uid: randomBytes(16).toString('base64url'),
      kind: 'Session',
      jti: id,
      accountId,
      loginTs: iat,
      amr: ['pwd'],
      authorizations: { [WEB.id]: { sid: randomUUID(), grantId: tokenId(), persistsLogout: false } },
    },
  };
}

/** The three records one login with offline_access leaves behind. */
export function loginRecords(accountId: string): StoredRecord[] {
  const iat = now();
  const grantId = tokenId();
  const sessionUid = randomBytes(16).toString('base64url');
  const sid = randomUUID();
  const common = { iat, accountId, clientId: WEB.id, grantId, scope: USER_SCOPE, sessionUid, sid, gty: 'authorization_code', expiresWithSession: false };
  const refreshId = tokenId();
  const accessId = tokenId();
  return [
    {
      model: 'Grant',
      id: grantId,
      expiresIn: 14 * DAY,
      payload: { iat, exp: iat + 14 * DAY, kind: 'Grant', jti: grantId, accountId, clientId: WEB.id, openid: { scope: USER_SCOPE } },
    },
    {
      model: 'RefreshToken',
      id: refreshId,
      expiresIn: 14 * DAY,
      payload: { ...common, exp: iat + 14 * DAY, kind: 'RefreshToken', jti: refreshId, iiat: iat, authTime: iat, amr: ['pwd'], rotations: 0 },
    },
    {
      model: 'AccessToken',
      id: accessId,
      expiresIn: 600,
      payload: { ...common, exp: iat + 600, kind: 'AccessToken', jti: accessId },
    },
  ];
}
