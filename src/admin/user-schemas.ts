/**
 * Request shapes of /admin/v1/users, strict: an unknown field, or an object or array where a
 * string belongs (`{"$ne": 1}`), is a 400 before any lookup. Lengths are capped so nothing a
 * caller sends can grow a record without bound.
 */
import { z } from 'zod';
import { isArgon2idHash } from '../accounts/hashing.ts';
import { pageQuery } from './pagination.ts';

/** Account ids are UUIDs made here, or ids a bootstrap file chose: a conservative charset. */
export const userId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/);

const username = z
  .string()
  .trim()
  .min(1)
  .max(254)
  .regex(/^[^\s/\\]+$/, 'no spaces or slashes');
const email = z.string().trim().toLowerCase().email().max(254);
const label = z.string().trim().min(1).max(64);
const labels = z.array(label).max(50);
// Any non-empty string: the password policy (passwords/policy.ts) judges it and names every rule it fails.
const password = z.string().min(1).max(1024);
const passwordHash = z.string().max(512).refine(isArgon2idHash, 'must be an argon2id PHC string');

export const createUserBody = z
  .object({
    username,
    email: email.optional(),
    email_verified: z.boolean().optional(),
    name: z.string().trim().min(1).max(200).optional(),
    roles: labels.optional(),
    admin_roles: labels.optional(),
    password: password.optional(),
    password_hash: passwordHash.optional(),
    must_change: z.boolean().optional(),
    invite: z.boolean().optional(),
  })
  .strict()
  .refine((body) => !(body.password !== undefined && body.password_hash !== undefined), 'give password or password_hash, not both');

export const patchUserBody = z
  .object({
    email: email.nullable().optional(),
    email_verified: z.boolean().optional(),
    name: z.string().trim().min(1).max(200).nullable().optional(),
    roles: labels.optional(),
    admin_roles: labels.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const setPasswordBody = z
  .object({ password: password.optional(), password_hash: passwordHash.optional(), must_change: z.boolean().optional() })
  .strict()
  .refine((body) => (body.password === undefined) !== (body.password_hash === undefined), 'give exactly one of password or password_hash');

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const listUsersQuery = z
  .object({
    q: z.string().trim().toLowerCase().max(254).optional(),
    role: label.optional(),
    admin_role: label.optional(),
    disabled: flag.optional(),
    ...pageQuery,
  })
  .strict();

export const deleteUserQuery = z.object({ purge: flag.optional() }).strict();

/** A query string on a route that takes none must be empty too (nothing unnoticed). */
export const noQuery = z.object({}).strict();
