/**
 * The operator credential: `Authorization: Bearer <OPERATOR_TOKEN>`. Compared as SHA-256 digests
 * with timingSafeEqual, so the comparison takes the same time whatever the guess (and equal
 * lengths mean it never throws). This one check guards every route under /admin/v1.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { AppError } from '../security/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireOperator(token: string) {
  const expected = digest(token);
  return async function operatorOnly(ctx: Context, next: Next): Promise<void> {
    ctx.set('Cache-Control', 'no-store');
    const presented = /^Bearer (.+)$/i.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!timingSafeEqual(digest(presented), expected)) {
      throw new AppError(401, 'invalid_operator_token', 'a valid operator token is required', { headers: { 'WWW-Authenticate': 'Bearer realm="operator"' } });
    }
    await next();
  };
}
