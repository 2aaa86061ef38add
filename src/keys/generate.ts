/** Creating a signing key record: a fresh key pair, a random kid that is never reused. */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { SigningAlg } from '../config/algorithms.ts';
import type { KeyRecord, KeyState } from '../storage/port.ts';
import type { Sealer } from './sealing.ts';

export { type SigningAlg, SUPPORTED_ALGS } from '../config/algorithms.ts';

export async function generateKeyRecord(alg: SigningAlg, state: KeyState, sealer: Sealer, now: Date, extra: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
    ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}),
  });
  // 96 random bits: unique without coordination between instances.
  const kid = randomBytes(12).toString('base64url');
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  return {
    kid,
    alg,
    state,
    publicJwk,
    sealedPrivateJwk: sealer.seal(JSON.stringify(privateJwk)),
    createdAt: now,
    ...extra,
  };
}
