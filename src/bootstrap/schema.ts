/** The bootstrap file: clients, users and resource servers an operator declares. */
import { z } from 'zod';
import { isArgon2idHash } from '../accounts/hashing.ts';
import { resourceSchema } from '../oidc/resources.ts';

// Client metadata is validated by oidc-provider itself (Client.validate); here only its id.
const clientSchema = z.looseObject({ client_id: z.string().min(1).max(255) });

const userSchema = z
  .object({
    id: z.string().min(1).max(128).optional(),
    username: z.string().trim().min(1).max(254),
    email: z.email().optional(),
    email_verified: z.boolean().optional(),
    name: z.string().max(254).optional(),
    roles: z.array(z.string().min(1).max(64)).default([]),
    // Management roles (rbac/roles.ts). Optional without a default: a file that does not use it
    // keeps the fingerprint it had, so an upgrade re-applies nothing (apply.ts).
    admin_roles: z.array(z.string().min(1).max(64)).max(32).optional(),
    password: z.string().min(1).max(1024).optional(),
    password_hash: z.string().refine(isArgon2idHash, 'must be an argon2id PHC string').optional(),
  })
  .strict()
  .refine((user) => Boolean(user.password) !== Boolean(user.password_hash), 'give exactly one of password or password_hash');

export const bootstrapSchema = z
  .object({
    clients: z.array(clientSchema).default([]),
    users: z.array(userSchema).default([]),
    resources: z.array(resourceSchema).default([]),
  })
  .strict();

export type BootstrapFile = z.infer<typeof bootstrapSchema>;
export type BootstrapUser = BootstrapFile['users'][number];
