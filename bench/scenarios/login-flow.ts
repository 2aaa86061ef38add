/**
 * The authorization-code flow without a browser, as autocannon request sequences: each connection
 * is one browser with its own cookie jar, logging in again and again from scratch:
 *   GET /auth → GET login page → POST password → GET /auth/:uid → GET consent page →
 *   POST consent → GET /auth/:uid → (code at the callback) → POST /token.
 * A step that answers anything unexpected counts one failure and restarts the sequence.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'autocannon';
import { basicAuth, CALLBACK, LOGIN_USERS, USER, WEB } from '../fixtures.ts';
import type { Plan } from '../load.ts';

const FORM = 'application/x-www-form-urlencoded';

interface Browser {
  [key: string]: unknown;
  cookies?: Record<string, string>;
  next?: string | undefined;
  csrf?: string | undefined;
  code?: string | undefined;
  verifier?: string;
  started?: number;
  username?: string;
  failed?: boolean;
}

function keepCookies(browser: Browser, headers: Record<string, string | string[]>): void {
  browser.cookies ??= {};
  const jar = browser.cookies;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    for (const header of Array.isArray(value) ? value : [value]) {
      const pair = header.split(';')[0] ?? '';
      const index = pair.indexOf('=');
      if (index < 0) continue;
      const key = pair.slice(0, index).trim();
      const cookie = pair.slice(index + 1).trim();
      // Paths are ignored (as in test/support/browserless.ts): extra cookies are harmless here.
      if (cookie === '' || /expires=Thu, 01 Jan 1970/i.test(header)) delete jar[key];
      else jar[key] = cookie;
    }
  }
}

function headerOf(headers: Record<string, string | string[]>, wanted: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const cookieHeader = (browser: Browser) =>
  Object.entries(browser.cookies ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

/** Path and query of a same-origin Location, or undefined for anywhere else. */
function localPath(location: string | undefined, origin: string): string | undefined {
  if (!location) return undefined;
  const url = new URL(location, origin);
  return url.origin === origin ? url.pathname + url.search : undefined;
}

export function loginFlow(origin: string): Plan {
  let failures = 0;
  let logins = 0;
  const durations: number[] = [];

  const fail = (browser: Browser) => {
    if (!browser.failed) failures += 1;
    browser.failed = true;
  };
  /** A GET of `browser.next` that must redirect on our origin. */
  const follow = (): Request => ({
    method: 'GET',
    setupRequest(request, context) {
      const browser = context as Browser;
      if (browser.failed || !browser.next) return undefined;
      return { ...request, path: browser.next, headers: { cookie: cookieHeader(browser), accept: 'text/html' } };
    },
    onResponse(status, _body, context, headers) {
      const browser = context as Browser;
      keepCookies(browser, headers);
      const location = headerOf(headers, 'location');
      if (status >= 300 && status < 400 && location?.startsWith(CALLBACK)) {
        const callback = new URL(location);
        browser.code = callback.searchParams.get('code') ?? undefined;
        browser.next = undefined;
        if (!browser.code) fail(browser);
        return;
      }
      browser.next = status >= 300 && status < 400 ? localPath(location, origin) : undefined;
      if (!browser.next) fail(browser);
    },
  });
  /** The interaction page: remember its CSRF token and where its form posts. */
  const page = (): Request => ({
    method: 'GET',
    setupRequest: follow().setupRequest,
    onResponse(status, body, context, headers) {
      const browser = context as Browser;
      keepCookies(browser, headers);
      browser.csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
      browser.next = /action="(\/interaction\/[\w-]+\/(?:login|confirm))"/.exec(body)?.[1];
      if (status !== 200 || !browser.csrf || !browser.next) fail(browser);
    },
  });
  const post = (fields: (browser: Browser) => Record<string, string>): Request => ({
    method: 'POST',
    setupRequest(request, context) {
      const browser = context as Browser;
      if (browser.failed || !browser.next || !browser.csrf) return undefined;
      return {
        ...request,
        path: browser.next,
        headers: { cookie: cookieHeader(browser), 'content-type': FORM, accept: 'text/html' },
        body: new URLSearchParams({ csrf: browser.csrf, ...fields(browser) }).toString(),
      };
    },
    onResponse: follow().onResponse,
  });

  // Each connection signs in its own person (see LOGIN_USERS).
  let nextUser = 0;
  const requests: Request[] = [
    {
      method: 'GET',
      setupRequest(request, context) {
        const browser = context as Browser;
        browser.verifier = randomBytes(32).toString('base64url');
        browser.started = performance.now();
        const query = new URLSearchParams({
          client_id: WEB.id,
          response_type: 'code',
          redirect_uri: CALLBACK,
          scope: 'openid profile email',
          state: randomBytes(16).toString('base64url'),
          code_challenge: createHash('sha256').update(browser.verifier).digest('base64url'),
          code_challenge_method: 'S256',
        });
        return { ...request, path: `/auth?${query}`, headers: { accept: 'text/html' } };
      },
      onResponse: follow().onResponse,
    },
    page(),
    post((browser) => {
      if (!browser.username) {
        browser.username = LOGIN_USERS[nextUser % LOGIN_USERS.length] as string;
        nextUser += 1;
      }
      return { username: browser.username, password: USER.password };
    }),
    follow(),
    page(),
    post(() => ({})),
    follow(),
    {
      method: 'POST',
      setupRequest(request, context) {
        const browser = context as Browser;
        if (browser.failed || !browser.code || !browser.verifier) return undefined;
        return {
          ...request,
          path: '/token',
          headers: { 'content-type': FORM, authorization: basicAuth(WEB) },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: browser.code,
            redirect_uri: CALLBACK,
            code_verifier: browser.verifier,
          }).toString(),
        };
      },
      onResponse(status, body, context) {
        const browser = context as Browser;
        if (status === 200 && body.includes('"id_token":"eyJ')) {
          logins += 1;
          durations.push(performance.now() - (browser.started ?? performance.now()));
        } else {
          fail(browser);
        }
      },
    },
  ];

  return {
    requests,
    failures: () => failures,
    completed: () => logins,
    unitLatencies: () => durations,
    checksStatus: true,
  };
}
