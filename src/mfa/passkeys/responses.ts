/**
 * The shapes of the browser's answers (WebAuthn JSON, as @simplewebauthn/browser sends them),
 * checked before any of it reaches the library: base64url strings of bounded length and nothing
 * that is not a string where a string belongs. A form carries the answer as one JSON field.
 */
import { z } from 'zod';
import { PasskeyRefusal } from './types.ts';

const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);
/** WebAuthn caps credential ids at 1023 bytes: 1364 base64url characters. */
export const credentialId = b64url(1364).min(16);

const common = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};

export const registrationResponse = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(8192),
    transports: z.array(z.string().max(32)).max(8).optional(),
    authenticatorData: b64url(8192).optional(),
    publicKey: b64url(4096).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
});

export const authenticationResponse = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(4096),
    signature: b64url(1024),
    userHandle: b64url(128).optional(),
  }),
});

export type RegistrationAnswer = z.infer<typeof registrationResponse>;
export type AuthenticationAnswer = z.infer<typeof authenticationResponse>;

/** A form's `response` field (a JSON string) or a JSON body's value, held to `schema`. */
export function readAnswer<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new PasskeyRefusal('invalid_response');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PasskeyRefusal('invalid_response');
  return parsed.data;
}

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
}

/** clientDataJSON decoded: what the browser says it signed, for which challenge and origin. */
export function clientDataOf(clientDataJSON: string): ClientData {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as Partial<ClientData>;
    if (typeof data.type === 'string' && typeof data.challenge === 'string' && typeof data.origin === 'string') {
      return { type: data.type, challenge: data.challenge, origin: data.origin };
    }
  } catch {
    // falls through to the refusal
  }
  throw new PasskeyRefusal('invalid_response');
}
