/** The shapes the Connected apps, Security activity and Your data routes accept. */
import { z } from 'zod';

const csrf = z.string().max(128).optional();

/**
 * A client id as it appears in a path or form: printable ASCII without spaces, at most 255
 * characters. Anything else names no client and is refused before any lookup.
 */
export const clientId = z.string().regex(/^[\x21-\x7e]{1,255}$/);

export const revokeAppForm = z.object({ csrf, client_id: clientId }).strict();
export const notMeForm = z.object({ csrf }).strict();

/** `?revoked=<client_id>` after a revoke, for the notice on the page. */
export const revokedQuery = clientId;

/** `?download=1` asks for the export as a file. */
export const downloadQuery = z.enum(['1', 'true']);
