/**
 * Single-endpoint scenarios. Each answer is checked for what a client needs from it (a JWT, an
 * opaque token, `active: true` …) so a fast wrong answer counts as an error, not as throughput.
 */
import type { Request } from 'autocannon';
import { basicAuth, JWT_API, MACHINE, OPAQUE_API, WEB } from '../fixtures.ts';
import type { Plan } from '../load.ts';
import type { ServerChild } from '../servers/child.ts';
import type { MintedTokens } from '../servers/commands.ts';

const FORM = 'application/x-www-form-urlencoded';

/** A plan whose requests are checked by `accept(status, body)`. */
function checked(requests: Request[], accept: (status: number, body: string) => boolean): Plan {
  let failures = 0;
  return {
    requests: requests.map((request) => ({
      ...request,
      onResponse(status, body) {
        if (status >= 200 && status < 300 && !accept(status, body)) failures += 1;
      },
    })),
    failures: () => failures,
  };
}

function clientCredentials(resource: string, tokenShape: RegExp): Plan {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: MACHINE.id, client_secret: MACHINE.secret, scope: 'read', resource });
  return checked([{ method: 'POST', path: '/token', headers: { 'content-type': FORM }, body: body.toString() }], (_status, text) => tokenShape.test(text));
}

/** ES256 JWT access tokens: three base64url parts, header `{"alg":"ES256",…` (eyJhbGciOiJFUzI1NiIs). */
export const ccJwt = (): Plan => clientCredentials(JWT_API, /"access_token":"eyJhbGciOiJFUzI1NiIs[\w-]*\.[\w-]+\.[\w-]+"/);
export const ccOpaque = (): Plan => clientCredentials(OPAQUE_API, /"access_token":"[\w-]{43}"/);

/** Round-robin over a pool of access tokens minted for the person. */
function rotating(pool: string[], build: (token: string) => Request): Request['setupRequest'] {
  let next = 0;
  return (request) => {
    const token = pool[next % pool.length] as string;
    next += 1;
    return { ...request, ...build(token) };
  };
}

export async function introspection(server: ServerChild, poolSize: number): Promise<Plan> {
  const { accessTokens } = await server.call<MintedTokens>('mint', poolSize);
  const build = (token: string): Request => ({
    method: 'POST',
    path: '/token/introspection',
    // The minted access tokens are web-app's own; only it (or an introspector its audience lists) may read them.
    headers: { 'content-type': FORM, authorization: basicAuth(WEB) },
    body: new URLSearchParams({ token }).toString(),
  });
  return checked([{ ...build(accessTokens[0] as string), setupRequest: rotating(accessTokens, build) }], (_status, text) => text.includes('"active":true'));
}

export async function userinfo(server: ServerChild, poolSize: number): Promise<Plan> {
  const { accessTokens } = await server.call<MintedTokens>('mint', poolSize);
  const build = (token: string): Request => ({ method: 'GET', path: '/me', headers: { authorization: `Bearer ${token}` } });
  return checked([{ ...build(accessTokens[0] as string), setupRequest: rotating(accessTokens, build) }], (_status, text) =>
    text.includes('"email":"alice@example.com"'),
  );
}

export const jwks = (): Plan => checked([{ method: 'GET', path: '/jwks' }], (_status, text) => text.includes('"kty":"EC"'));
export const discovery = (): Plan =>
  checked([{ method: 'GET', path: '/.well-known/openid-configuration' }], (_status, text) => text.includes('"token_endpoint"'));

/**
 * Refresh with rotation. A pool of fresh refresh tokens is minted up front; every token is sent
 * exactly once, and the rotated token each answer brings joins the back of the queue (as a client
 * keeps only its latest token). A token is never replayed, so a reuse error would be a real one.
 */
export async function refresh(server: ServerChild, poolSize: number): Promise<Plan> {
  const { refreshTokens } = await server.call<MintedTokens>('mint', poolSize);
  const queue = [...refreshTokens];
  let failures = 0;
  let exhausted = 0;
  const build = (token: string): Request => ({
    method: 'POST',
    path: '/token',
    headers: { 'content-type': FORM, authorization: basicAuth(WEB) },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
  });
  return {
    requests: [
      {
        ...build('placeholder'),
        setupRequest(request) {
          const token = queue.shift();
          if (token) return { ...request, ...build(token) };
          // Only reachable if answers failed faster than the pool could absorb: sent, refused, counted.
          exhausted += 1;
          return { ...request, ...build('pool-exhausted') };
        },
        onResponse(status, body) {
          if (status !== 200) return;
          const rotated = /"refresh_token":"([\w-]+)"/.exec(body)?.[1];
          if (rotated && body.includes('"id_token":"eyJ')) queue.push(rotated);
          else failures += 1;
        },
      },
    ],
    failures: () => failures + exhausted,
  };
}
