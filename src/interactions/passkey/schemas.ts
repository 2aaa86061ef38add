/** The passkey forms: the browser's answer travels as one JSON string field, read by mfa/passkeys/responses.ts. */
import { z } from 'zod';

const csrf = z.string().max(128).optional();

/** Asking for ceremony options (JSON from passkeys.js). */
export const optionsForm = z.object({ csrf }).strict();

/** 12,000 characters: a registration answer with a large attestation, inside the 16 KiB body limit. */
const response = z.string().min(2).max(12_000);

export const passkeyForm = z.object({ csrf, response }).strict();

export const registerForm = z.object({ csrf, response, name: z.string().max(64).optional() }).strict();
