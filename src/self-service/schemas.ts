/** The shapes the self-service forms accept; anything else is a 400 before any lookup or mail. */
import { z } from 'zod';

const csrf = z.string().max(128).optional();
const password = z.string().min(1).max(1024);

/** 320: the longest email address, the longest sensible username. */
export const forgotForm = z.object({ csrf, identifier: z.string().trim().min(1).max(320) }).strict();

/** The hidden username lets password managers file the new password; it is accepted and ignored. */
export const resetForm = z.object({ csrf, username: z.string().max(320).optional(), new_password: password, confirm_password: z.string().max(1024) }).strict();

export const signupForm = z
  .object({
    csrf,
    email: z.email().max(320),
    name: z.string().trim().min(1).max(200),
    password,
    confirm_password: z.string().max(1024),
  })
  .strict();

export const verifyForm = z.object({ csrf }).strict();

/** The token segment of a link: checked again by the domain, here so a bad one never reaches a lookup. */
export const linkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
