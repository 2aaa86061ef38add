/** The one field a second-factor form sends: `code` (a 6-digit TOTP code or a backup code). */
import { z } from 'zod';

export const codeForm = z
  .object({
    csrf: z.string().max(128).optional(),
    code: z.string().trim().min(1).max(32),
  })
  .strict();
