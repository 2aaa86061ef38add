/**
 * CSRF protection by signed double submit: a random token lives in a signed, HttpOnly,
 * SameSite=Strict cookie and must come back in the form field `csrf` (or the X-CSRF-Token header
 * for JSON callers, who get the token in the JSON they GET). A forged or missing cookie fails
 * signature checking and so fails the comparison.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { AppError } from './errors.ts';

const COOKIE = 'portcullis.csrf';

export function csrfToken(ctx: Context): string {
  const existing = ctx.cookies.get(COOKIE, { signed: true });
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  ctx.cookies.set(COOKIE, token, {
    signed: true,
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secure,
    path: '/',
    overwrite: true,
  });
  return token;
}

export function verifyCsrf(ctx: Context, submitted: string | undefined): void {
  const expected = ctx.cookies.get(COOKIE, { signed: true });
  const given = submitted ?? ctx.get('x-csrf-token');
  const ok =
    typeof expected === 'string' &&
    typeof given === 'string' &&
    expected.length === given.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  if (!ok) throw new AppError(403, 'csrf_failed', 'this form has expired; go back, reload the page and try again');
}
