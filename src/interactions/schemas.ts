/** The shapes our interaction forms accept; anything else is a 400 before any lookup happens. */
import { z } from 'zod';

const csrf = z.string().max(128).optional();

export const loginForm = z
  .object({
    csrf,
    username: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(1024),
  })
  .strict();

/** Lengths beyond the schema's are the policy's to refuse (passwords/policy.ts), with the page again. */
export const newPasswordForm = z
  .object({
    csrf,
    new_password: z.string().min(1).max(1024),
    confirm_password: z.string().min(1).max(1024),
  })
  .strict();

export const confirmForm = z.object({ csrf }).strict();
export const abortForm = z.object({ csrf }).strict();

export const uidParam = z.string().regex(/^[A-Za-z0-9_-]{10,64}$/);
