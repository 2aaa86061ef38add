/**
 * In front of the provider's token, introspection and revocation endpoints: an address that
 * keeps sending failing requests (4xx) runs out of budget, and a confidential client whose
 * authentication keeps failing (401 invalid_client) from one address backs off exponentially
 * there (`client.auth`, keyed by client and address). Across addresses only a high ceiling
 * counts (`client.total`), and addresses where the client authenticated successfully of late
 * are exempt from both, so a stranger cannot starve a real backend. A client with no secret
 * (`token_endpoint_auth_method: none`: SPAs, native apps, TVs) has nothing to guess and no
 * client back-off at all: its ids are public, and a back-off anyone can start would refuse its
 * users (security audit finding 3). The client is looked up, never taken on the request's word.
 * Refusals are JSON `429 too_many_attempts` with Retry-After and RateLimit-* fields.
 *
 * The happy path is one read of the counters (one Redis round trip: lockout/redis-read.ts) that
 * usually says "nothing recorded", and no write: the address budget, the client's known-address
 * mark and the client's counters are read together; the client is looked up only when there is
 * something to decide (a recorded back-off, a failure, the first success from an address).
 *
 * The client is named in the Authorization header or in the form body. With HTTP Basic the body
 * is left alone; otherwise it is read here (at most oidc-provider's 56 KiB) and put back on the
 * stream (peek-body.ts): oidc-provider reads and parses it as if nobody had looked.
 */
import { decodeJwt } from 'jose';
import type { Context, Next } from 'koa';
import type { Limiter, SurveyRequest, Verdict } from '../lockout/limiter.ts';
import { waitPhrase, worst } from '../lockout/refusals.ts';
import { rateLimitHeaders } from './errors.ts';
import { type Form, isEncoded, readForm } from './token-form.ts';

function basicClientId(header: string | undefined): string | undefined {
  const [scheme, value] = (header ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The client the request claims to be; used only as a counter key, never trusted otherwise. */
function claimedClient(header: string | undefined, form: Form): string | undefined {
  const fromHeader = basicClientId(header);
  if (fromHeader) return fromHeader;
  const clientId = first(form.client_id);
  if (clientId) return clientId;
  const assertion = first(form.client_assertion);
  if (!assertion) return undefined;
  try {
    return decodeJwt(assertion).sub;
  } catch {
    return undefined;
  }
}

/** What the guard needs to know of a registered client (oidc-provider's Client has it). */
export interface RegisteredClient {
  readonly clientAuthMethod?: string | undefined;
}

export interface EndpointGuardOptions {
  /**
   * Canonical paths of the protected endpoints (routes.ts); other spellings answer 404 before
   * this guard (security/canonical-paths.ts).
   */
  paths: string[];
  /** How long a successful client authentication exempts its address from the client back-off (s). */
  knownAddressTtl: number;
  /** The registered client of that id, if any (the provider's `Client.find`). */
  findClient(clientId: string): Promise<RegisteredClient | undefined>;
}

/** The guard's question for one client and address, asked of the limiter on every request. */
interface Question {
  pair: { client: string; ip: string } | undefined;
  request: SurveyRequest;
}

/** Questions kept per client and address (emptied at this size: made-up client ids cost at most this many). */
const QUESTIONS = 10_000;

export function endpointGuard(limiter: Limiter, options: EndpointGuardOptions) {
  const paths = new Set(options.paths);
  // The same few clients and addresses ask again and again: the same request object lets the
  // limiter reuse its plan of the read (limiter.ts planOf) instead of hashing the keys each time.
  const questions = new Map<string, Question>();
  const questionFor = (client: string | undefined, ip: string): Question => {
    const id = client === undefined ? ip : `${ip}\u0000${client}`;
    let question = questions.get(id);
    if (question) return question;
    const pair = client === undefined ? undefined : { client, ip };
    const request: SurveyRequest = {
      checks: [['endpoint.ip', { ip }]],
      ...(pair
        ? {
            exemption: {
              mark: 'client.known',
              subject: pair,
              checks: [
                ['client.auth', pair],
                ['client.total', { client: pair.client }],
              ],
            },
          }
        : {}),
    };
    question = { pair, request };
    if (questions.size >= QUESTIONS) questions.clear();
    questions.set(id, question);
    return question;
  };

  /**
   * Whether failures in this client's name are secret guessing: a registered client that
   * authenticates with something guessable. An unknown id has no secret either. If the lookup
   * itself fails (store outage) the client is treated as confidential: throttling then errs on
   * the side of the secret.
   */
  const hasSecret = async (clientId: string): Promise<boolean> => {
    try {
      const client = await options.findClient(clientId);
      return client !== undefined && client.clientAuthMethod !== 'none';
    } catch {
      return true;
    }
  };

  const refuse = (ctx: Context, verdict: Verdict) => {
    ctx.status = 429;
    ctx.set(rateLimitHeaders(verdict));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: 'too_many_attempts',
      error_description: `too many failed requests; retry in ${waitPhrase(verdict.retryAfter)}`,
    };
  };

  const badBody = (ctx: Context) => {
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: 'failed to parse the request body' };
  };

  /**
   * The claimed client: from HTTP Basic without touching the body (oidc-provider reads it, with its
   * own limit), else from the form. A compressed body is always read here: the guard inflates it.
   */
  const claimed = async (ctx: Context): Promise<{ client: string | undefined } | undefined> => {
    const authorization = ctx.req.headers.authorization;
    const fromHeader = basicClientId(authorization);
    if (fromHeader && !isEncoded(ctx)) return { client: fromHeader };
    const form = await readForm(ctx);
    return form === undefined ? undefined : { client: claimedClient(authorization, form) };
  };

  const guard = async (ctx: Context, next: Next): Promise<void> => {
    const ip = String(ctx.state.clientIp);
    const claim = await claimed(ctx);
    if (claim === undefined) {
      badBody(ctx);
      return;
    }
    const client = claim.client;
    const { pair, request } = questionFor(client, ip);
    // Whether the claimed client has a secret (a store lookup) is asked only when the answer changes something.
    let secret: Promise<boolean> | undefined;
    const confidential = () => {
      if (client === undefined) return Promise.resolve(false);
      secret ??= hasSecret(client);
      return secret;
    };
    const { verdicts, exempt } = await limiter.survey(request);
    const [ipVerdict, ...clientVerdicts] = verdicts as [Verdict, ...Verdict[]];
    // A client without a secret has no client back-off: counts recorded in its name (before a change of method) do not apply.
    const clientRefuses = clientVerdicts.some((verdict) => !verdict.allowed) && (await confidential());
    const refused = worst(clientRefuses ? verdicts : [ipVerdict]);
    if (refused) {
      refuse(ctx, refused);
      return;
    }

    // Off a known address the answer will be needed either way (a failure to count, a first
    // success to mark): look the client up while the provider works, not after it answered.
    if (pair && !exempt) void confidential();
    await next();

    // The client went away before its answer: the provider judged a body cut short (its 400 says
    // nothing about the client), and nobody will read the outcome, so there is nothing to count.
    // The answer is written only after this guard, so a client can never see it and then vanish.
    if (ctx.res.destroyed) return;
    const status = ctx.res.statusCode;
    if (status >= 400 && status < 500) await limiter.fail('endpoint.ip', { ip });
    if (status === 401 && pair && (await confidential())) {
      // A known address is exempt from the client back-off, so its failures count only toward the ceiling.
      await Promise.all([exempt ? undefined : limiter.fail('client.auth', pair), limiter.fail('client.total', { client: pair.client })]);
    }
    // The ceiling is not reset by a success: one backend's success must not wipe a stranger's count.
    if (status >= 200 && status < 300 && pair && !exempt && (await confidential())) {
      await Promise.all([
        (clientVerdicts[0]?.failures ?? 0) > 0 ? limiter.reset('client.auth', pair) : undefined,
        limiter.remember('client.known', pair, options.knownAddressTtl),
      ]);
    }
  };
  return function guardEndpoints(ctx: Context, next: Next): Promise<void> {
    return ctx.method === 'POST' && paths.has(ctx.path) ? guard(ctx, next) : next();
  };
}
