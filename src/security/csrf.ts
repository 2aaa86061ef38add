/**
 * CSRF protection: each browser holds a random secret in an HttpOnly, SameSite=Strict cookie, and
 * the token a form (field `csrf`) or a JSON caller (header X-CSRF-Token) sends back is
 * HMAC(cookie keys, secret + what the request acts on): the sign-in attempt (interaction uid) or
 * the issuer session (csrf-binding.ts).
 *
 * Why both: a sibling subdomain (XSS on app.example.com, a taken-over subdomain) is same-site, so
 * SameSite does not stop it, and it can plant a cookie for Domain=example.com. A secret it took
 * from its own anonymous visit, planted next to the victim's session, yields no token the victim's
 * session accepts, because the token also covers that session, which the attacker cannot see. On
 * https issuers the cookie is also `__Host-` (Secure, Path=/, no Domain), which browsers refuse to
 * accept from a sibling at all; http issuers (development) cannot use the prefix.
 */
import { randomBytes } from 'node:crypto';
import type Keygrip from 'keygrip';
import type { Context, Next } from 'koa';
import { AppError } from './errors.ts';

export interface CsrfSettings {
  /** The cookie keys: the first signs tokens, all verify, so a key rotation expires no form. */
  keys: Keygrip;
  /** An https issuer: the cookie is `__Host-portcullis-csrf` and Secure. */
  https: boolean;
  /** What a token issued or checked on this request is bound to. */
  binding: (ctx: Context) => string;
}

/** Where csrfProtection leaves the settings on ctx.state. */
const STATE = 'csrfSettings';
/** Secrets and tokens are 32 bytes in base64url; anything else is refused before any comparison. */
const SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Makes the settings available to csrfToken/verifyCsrf for the rest of the request. */
export function csrfProtection(settings: CsrfSettings) {
  return function withCsrf(ctx: Context, next: Next): Promise<void> {
    ctx.state[STATE] = settings;
    return next();
  };
}

function settingsOf(ctx: Context): CsrfSettings {
  const settings = ctx.state[STATE] as CsrfSettings | undefined;
  if (!settings) throw new Error('csrfProtection middleware is not installed');
  return settings;
}

const cookieName = (settings: CsrfSettings) => (settings.https ? '__Host-portcullis-csrf' : 'portcullis.csrf');

/** What the HMAC covers; the newlines keep it apart from anything else signed with these keys. */
const signedText = (secret: string, binding: string) => `portcullis-csrf\n${secret}\n${binding}`;

export function csrfToken(ctx: Context): string {
  const settings = settingsOf(ctx);
  const name = cookieName(settings);
  let secret = ctx.cookies.get(name);
  if (!secret || !SHAPE.test(secret)) {
    secret = randomBytes(32).toString('base64url');
    ctx.cookies.set(name, secret, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      overwrite: true,
      // Secure whatever the request says on https issuers; left out otherwise, because an
      // explicit `false` would also drop it on https requests.
      ...(settings.https ? { secure: true } : {}),
    });
  }
  return settings.keys.sign(signedText(secret, settings.binding(ctx)));
}

export function verifyCsrf(ctx: Context, submitted: string | undefined): void {
  const settings = settingsOf(ctx);
  const secret = ctx.cookies.get(cookieName(settings));
  const given = submitted ?? ctx.get('x-csrf-token');
  // Shapes first: a token with a non-ASCII character used to reach a byte comparison and throw.
  const ok =
    typeof secret === 'string' && SHAPE.test(secret) && SHAPE.test(given) && settings.keys.index(signedText(secret, settings.binding(ctx)), given) !== -1;
  if (!ok) throw new AppError(403, 'csrf_failed', 'this form has expired; go back, reload the page and try again');
}
