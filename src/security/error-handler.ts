/**
 * The one place errors from our routes become responses. Known errors keep their stable code and
 * status; anything else is a 500 whose details go to the log, never to the client. The answer is
 * JSON for API callers and a page for browsers.
 */
import type { Context, Next } from 'koa';
import type { Logger } from '../platform/logger.ts';
import { isStorageUnavailable } from '../storage/errors.ts';
import type { Renderer } from '../views/render.ts';
import { AppError, asAppError } from './errors.ts';
import { redactPath } from './redact-path.ts';

interface Described {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  /** Extra JSON fields (never `error` or `error_description`, which come last and win). */
  detail?: Record<string, unknown>;
}

const TITLES: Record<number, string> = {
  400: 'Something is not right with that request',
  403: 'Not allowed',
  404: 'Not found',
  413: 'Too much data',
  415: 'Unsupported request',
  423: 'Account locked',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

function describe(error: unknown): Described | undefined {
  const known = asAppError(error);
  if (known) {
    return {
      status: known.status,
      code: known.code,
      message: known.expose ? known.message : 'internal error',
      headers: known.headers,
      ...(known.expose ? { detail: known.detail } : {}),
    };
  }
  if (isStorageUnavailable(error) || (error as { statusCode?: number; error?: string })?.error === 'temporarily_unavailable') {
    return {
      status: 503,
      code: 'temporarily_unavailable',
      message: 'the service is temporarily unavailable, try again shortly',
      headers: { 'Retry-After': '5' },
    };
  }
  // oidc-provider errors (SessionNotFound for an unknown or expired interaction, and friends).
  const oidc = error as { error?: string; statusCode?: number; expose?: boolean; error_description?: string };
  if (typeof oidc?.error === 'string' && typeof oidc.statusCode === 'number' && oidc.statusCode < 500 && oidc.expose) {
    const message =
      oidc.error === 'invalid_request' && /interaction|session/i.test(oidc.error_description ?? '')
        ? 'this sign-in attempt has expired or is not valid any more; go back to the application and start again'
        : (oidc.error_description ?? oidc.error);
    return { status: oidc.statusCode, code: oidc.error, message, headers: {} };
  }
  return undefined;
}

export function errorHandler(logger: Logger, render: Renderer, wantsJson: (ctx: Context) => boolean) {
  async function answer(ctx: Context, error: unknown): Promise<void> {
    let described = describe(error);
    if (!described) {
      logger.error({ err: error, requestId: ctx.state.requestId, path: redactPath(ctx.path) }, 'unhandled error');
      described = { status: 500, code: 'server_error', message: 'something went wrong on our side', headers: {} };
    } else if (described.status >= 500) {
      logger.warn({ err: error, requestId: ctx.state.requestId }, described.code);
    }
    ctx.set(described.headers);
    ctx.set('Cache-Control', 'no-store');
    if (wantsJson(ctx)) {
      ctx.status = described.status;
      ctx.body = { ...described.detail, error: described.code, error_description: described.message };
      return;
    }
    await render(
      ctx,
      'error',
      {
        title: TITLES[described.status] ?? (described.status >= 500 ? 'Something went wrong' : 'Request not accepted'),
        message: described.message,
        code: described.code,
        requestId: ctx.state.requestId,
      },
      described.status,
    );
  }
  // Promise steps, not `await`: an awaiting async function here would be walked into the stack
  // trace of every error made further down, and oidc-provider makes several on each request
  // (`ctx.assert(value, new InvalidToken(...))` builds the error before it asserts).
  const notFound = (ctx: Context) => {
    if (ctx.status === 404 && ctx.body === undefined) throw new AppError(404, 'not_found', 'there is nothing at this address');
  };
  return function handleErrors(ctx: Context, next: Next): Promise<void> {
    return next()
      .then(() => notFound(ctx))
      .catch((error: unknown) => answer(ctx, error));
  };
}
