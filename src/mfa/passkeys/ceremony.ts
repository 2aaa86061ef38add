/**
 * The ceremony glue around @simplewebauthn/server. The checks whose failure a person or an
 * operator must be able to tell apart run here first, each with its own code, in this order:
 * the challenge (taken, so it is spent whatever follows) → origin → RP id hash → user presence
 * → user verification → the credential → the library's signature check → the sign count.
 * The library then repeats what it checks itself; its error messages are never matched on.
 *
 * The library is handed `counter: 0` and the sign count is judged here instead, because what a
 * regression means depends on the credential: a device-bound one whose counter goes backwards
 * has probably been cloned (refused); a synced passkey's counter legitimately is 0 or jumps
 * between devices (accepted and logged).
 */
import { createHash } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { bindingOf, type ChallengeRecord, type Challenges } from './challenges.ts';
import { webauthn } from './library.ts';
import { type AuthenticationAnswer, clientDataOf, type RegistrationAnswer } from './responses.ts';
import { type CeremonySurface, type PasskeyRecord, PasskeyRefusal } from './types.ts';

/** The browser's ceremony timeout: the challenge's own lifetime (challenges.ts). */
const TIMEOUT_MS = 300_000;

export interface RelyingParty {
  rpId: string;
  rpName: string;
  /** The issuer's origin: the only one answers may come from. */
  origin: string;
}

export interface CeremonyDeps extends RelyingParty {
  challenges: Challenges;
}

const bytes = (b64url: string) => new Uint8Array(Buffer.from(b64url, 'base64url'));
const rpIdHash = (rpId: string) => createHash('sha256').update(rpId).digest();

async function takeChallenge(deps: CeremonyDeps, challenge: string, expected: Pick<ChallengeRecord, 'purpose' | 'accountId'>, surface: CeremonySurface) {
  const record = await deps.challenges.take(challenge);
  if (!record || record.purpose !== expected.purpose || record.binding !== bindingOf(surface)) throw new PasskeyRefusal('challenge_unknown');
  if (expected.accountId !== undefined && record.accountId !== expected.accountId) throw new PasskeyRefusal('challenge_unknown');
  return record;
}

interface Flags {
  rpIdHash: Uint8Array;
  flags: { up: boolean; uv: boolean; be: boolean; bs: boolean };
  counter: number;
}

function checkAuthData(deps: CeremonyDeps, parsed: Flags, requireUv: boolean): void {
  if (!Buffer.from(parsed.rpIdHash).equals(rpIdHash(deps.rpId))) throw new PasskeyRefusal('rp_id_mismatch');
  if (!parsed.flags.up) throw new PasskeyRefusal('user_presence_required');
  if (requireUv && !parsed.flags.uv) throw new PasskeyRefusal('user_verification_required');
}

export interface Registrant {
  id: string;
  username: string;
  name?: string | undefined;
}

export async function registrationOptions(
  deps: CeremonyDeps,
  account: Registrant,
  existing: readonly PasskeyRecord[],
  surface: CeremonySurface,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { server } = await webauthn();
  const challenge = await deps.challenges.issue('register', surface, account.id);
  return server.generateRegistrationOptions({
    rpName: deps.rpName,
    rpID: deps.rpId,
    userName: account.username,
    userDisplayName: account.name ?? account.username,
    // The account id, not the username: the user handle is stored on the authenticator and sent back at every sign-in.
    userID: new Uint8Array(Buffer.from(account.id, 'utf8')),
    // As bytes: a string would be taken as UTF-8 text and encoded again.
    challenge: bytes(challenge),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((record) => ({ id: record.id, transports: record.transports })),
    // Discoverable where the authenticator can (password-less sign-in), but a security key without
    // resident storage still serves as a second factor.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

export type VerifiedRegistration = Omit<PasskeyRecord, 'accountId' | 'name' | 'createdAt' | 'lastUsedAt'> & { userVerified: boolean };

export async function verifyRegistration(
  deps: CeremonyDeps,
  answer: RegistrationAnswer,
  expected: { accountId: string; surface: CeremonySurface },
): Promise<VerifiedRegistration> {
  const client = clientDataOf(answer.response.clientDataJSON);
  if (client.type !== 'webauthn.create') throw new PasskeyRefusal('invalid_response');
  await takeChallenge(deps, client.challenge, { purpose: 'register', accountId: expected.accountId }, expected.surface);
  if (client.origin !== deps.origin) throw new PasskeyRefusal('origin_mismatch');
  const { server, helpers } = await webauthn();
  let parsed: Flags;
  try {
    const attestation = helpers.decodeAttestationObject(bytes(answer.response.attestationObject));
    parsed = helpers.parseAuthenticatorData(attestation.get('authData'));
  } catch {
    throw new PasskeyRefusal('invalid_response');
  }
  checkAuthData(deps, parsed, false);
  let result: Awaited<ReturnType<typeof server.verifyRegistrationResponse>>;
  try {
    result = await server.verifyRegistrationResponse({
      response: answer as Parameters<typeof server.verifyRegistrationResponse>[0]['response'],
      expectedChallenge: client.challenge,
      expectedOrigin: deps.origin,
      expectedRPID: deps.rpId,
      requireUserVerification: false,
    });
  } catch {
    throw new PasskeyRefusal('invalid_response');
  }
  if (!result.verified) throw new PasskeyRefusal('signature_invalid');
  const info = result.registrationInfo;
  return {
    id: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
    aaguid: info.aaguid,
    transports: answer.response.transports ?? [],
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backupState: info.credentialBackedUp,
    // Attestation `none` proves nothing about the authenticator (see types.ts).
    attested: false,
    userVerified: info.userVerified,
  };
}

export async function authenticationOptions(
  deps: CeremonyDeps,
  surface: CeremonySurface,
  allow: readonly PasskeyRecord[] | undefined,
  accountId: string | undefined,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { server } = await webauthn();
  const challenge = await deps.challenges.issue('authenticate', surface, accountId);
  return server.generateAuthenticationOptions({
    rpID: deps.rpId,
    challenge: bytes(challenge),
    timeout: TIMEOUT_MS,
    // Password-less: the passkey is both factors, so the device must verify the person.
    userVerification: allow ? 'preferred' : 'required',
    ...(allow ? { allowCredentials: allow.map((record) => ({ id: record.id, transports: record.transports })) } : {}),
  });
}

export interface VerifiedAssertion {
  record: PasskeyRecord;
  newCounter: number;
  userPresent: boolean;
  userVerified: boolean;
  backupState: boolean;
  /** The counter went backwards on a backup-eligible credential: accepted, to be logged. */
  countRegressed: boolean;
}

export async function verifyAssertion(
  deps: CeremonyDeps,
  answer: AuthenticationAnswer,
  expected: { surface: CeremonySurface; accountId?: string | undefined; requireUserVerification: boolean },
  find: (id: string) => Promise<PasskeyRecord | undefined>,
): Promise<VerifiedAssertion> {
  const client = clientDataOf(answer.response.clientDataJSON);
  if (client.type !== 'webauthn.get') throw new PasskeyRefusal('invalid_response');
  await takeChallenge(deps, client.challenge, { purpose: 'authenticate', accountId: expected.accountId }, expected.surface);
  if (client.origin !== deps.origin) throw new PasskeyRefusal('origin_mismatch');
  const { server, helpers } = await webauthn();
  let parsed: Flags;
  try {
    parsed = helpers.parseAuthenticatorData(bytes(answer.response.authenticatorData));
  } catch {
    throw new PasskeyRefusal('invalid_response');
  }
  checkAuthData(deps, parsed, expected.requireUserVerification);
  const record = await find(answer.id);
  if (!record || (expected.accountId !== undefined && record.accountId !== expected.accountId)) throw new PasskeyRefusal('credential_unknown');
  // A discoverable credential names its account: it must be the one the credential was registered to.
  const handle = answer.response.userHandle;
  if (handle !== undefined && handle !== '' && Buffer.from(handle, 'base64url').toString('utf8') !== record.accountId)
    throw new PasskeyRefusal('credential_unknown');
  let result: Awaited<ReturnType<typeof server.verifyAuthenticationResponse>>;
  try {
    result = await server.verifyAuthenticationResponse({
      response: answer as Parameters<typeof server.verifyAuthenticationResponse>[0]['response'],
      expectedChallenge: client.challenge,
      expectedOrigin: deps.origin,
      expectedRPID: deps.rpId,
      credential: { id: record.id, publicKey: bytes(record.publicKey), counter: 0, transports: record.transports },
      requireUserVerification: expected.requireUserVerification,
    });
  } catch {
    throw new PasskeyRefusal('signature_invalid');
  }
  if (!result.verified) throw new PasskeyRefusal('signature_invalid');
  const counter = result.authenticationInfo.newCounter;
  // WebAuthn L3 § 6.1.1: a counter of 0 on both sides means the authenticator keeps none.
  const regressed = (counter > 0 || record.signCount > 0) && counter <= record.signCount;
  if (regressed && !record.backupEligible) throw new PasskeyRefusal('sign_count_regressed');
  return {
    record,
    newCounter: Math.max(counter, record.signCount),
    userPresent: parsed.flags.up,
    userVerified: parsed.flags.uv,
    backupState: parsed.flags.bs,
    countRegressed: regressed,
  };
}
