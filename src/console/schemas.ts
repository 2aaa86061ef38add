/** The shapes the /account routes accept; anything else is a 400 before any lookup happens. */
import { z } from 'zod';

const csrf = z.string().max(128).optional();

/** oidc-provider session uids are 21-character nanoids; a little slack, nothing else. */
export const sessionUid = z.string().regex(/^[A-Za-z0-9_-]{10,64}$/);

export const endSessionForm = z.object({ csrf, uid: sessionUid }).strict();
export const csrfOnlyForm = z.object({ csrf }).strict();

/**
 * The page's form also carries the account's username, hidden, so that password managers file
 * the new password under it (autocomplete="username"). It is accepted and ignored: the account
 * is always the session's. 320: the longest e-mail address, the longest sensible username.
 */
export const passwordForm = z
  .object({
    csrf,
    username: z.string().max(320).optional(),
    current_password: z.string().min(1).max(1024),
    new_password: z.string().min(1).max(1024),
    confirm_password: z.string().max(1024),
  })
  .strict();

/** Profile forms: loose here (at most 1 KiB), the rules (accounts/profile.ts) give the precise codes. */
export const nameForm = z.object({ csrf, name: z.string().max(1024) }).strict();
export const emailForm = z.object({ csrf, email: z.string().max(1024) }).strict();

/** `?ended=N` after ending sessions, for the notice on the page. */
export const endedQuery = z.coerce.number().int().min(0).max(1000);
