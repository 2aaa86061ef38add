/**
 * The route table test: every state-changing route a browser can reach with its cookies is read
 * from the routers the running app has mounted (router.stack), so a route added tomorrow is in
 * this test without anyone remembering to add it. For each one:
 * - without a CSRF token, and with a genuine token that belongs to another browser, it answers
 *   403 `csrf_failed` and changes nothing (stored interaction, sessions, MFA, password, audit);
 * - with the right token it is not refused for CSRF (so the refusal above was the token's).
 * For every interaction route (src/interactions/router.ts, GETs included), at every step it does
 * not serve, it answers 400 `unexpected_step` and changes nothing; at its own step it is served.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type Router from '@koa/router';
import { ADMIN_PREFIX } from '../../src/admin/paths.ts';
import { INTERACTION_PREFIX, INTERACTION_ROUTES } from '../../src/interactions/router.ts';
import type { StepName } from '../../src/interactions/types.ts';
import { ACR_MFA } from '../../src/mfa/acr.ts';
import { newLinkToken } from '../../src/passwords/link-tokens.ts';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { currentSession, device, FIREFOX_LINUX, IPHONE, listSessions } from '../support/devices.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer } from '../support/server.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes that never act on cookies: the admin API takes a bearer token only, so CSRF does not apply. */
const BEARER_ONLY_PREFIXES = [ADMIN_PREFIX];

interface MountedRoute {
  method: string;
  path: string;
}

/** Every method + path of every router mounted on the app, as Koa will route them. */
function mountedRoutes(middleware: unknown[]): MountedRoute[] {
  const routes: MountedRoute[] = [];
  for (const fn of middleware) {
    const router = (fn as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) if (method !== 'HEAD') routes.push({ method, path: String(layer.path) });
    }
  }
  return routes;
}

const trimSlash = (path: string) => (path.length > 1 ? path.replace(/\/$/, '') : path);
const label = (route: MountedRoute) => `${route.method} ${route.path}`;

const clock = new TestClock();
const server = await startServer({
  env: { MFA_POLICY: 'when_required', OPERATOR_TOKEN: 'operator-token-that-is-long-enough-for-the-schema', REGISTRATION: 'open' },
  options: { now: clock.now },
});
const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
const { accountId: aliceId, secret: aliceSecret } = await enrolDirectly(server, 'alice', clock);
// An administrator set carol's password with must_change: her password leads to the new-password step.
const carol = await server.portcullis.accounts.create({ username: 'carol', password: PASSWORD, mustChangePassword: true });
const mounted = mountedRoutes(server.portcullis.app.middleware);
const stateChanging = mounted.filter((route) => STATE_CHANGING.has(route.method));
const interactionMounted = mounted.filter((route) => route.path.startsWith(INTERACTION_PREFIX));
/** The pages that work without a session: reset by email, registration (src/self-service) and the email-change link (src/console). */
const SELF_SERVICE_PREFIXES = ['/password/', '/signup', '/email/verify/', '/account/email/confirm/'];
/** The console's paths: /account itself and everything below it (a POST /account would be one). */
const isAccountPath = (path: string) => path === '/account' || path.startsWith('/account/');
const accountRoutes = stateChanging.filter((route) => isAccountPath(route.path) && !SELF_SERVICE_PREFIXES.some((prefix) => route.path.startsWith(prefix)));
/** The console router itself (its prefix is /account), read from the app as mounted. */
const consoleRouterRoutes = (() => {
  const router = server.portcullis.app.middleware.map((fn) => (fn as { router?: Router }).router).find((found) => found?.opts.prefix === '/account');
  assert.ok(router, 'the console router (prefix /account) is mounted');
  return router.stack.flatMap((layer) => layer.methods.filter((method) => STATE_CHANGING.has(method)).map((method) => `${method} ${layer.path}`));
})();
const selfServiceRoutes = stateChanging.filter((route) => SELF_SERVICE_PREFIXES.some((prefix) => route.path.startsWith(prefix)));

interface Answer {
  status: number;
  /** The stable error code: `error` of a JSON answer, or the code an error page shows. */
  code: string | undefined;
  text: string;
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  const code = json ? (JSON.parse(text) as { error?: string }).error : /\b(csrf_failed|unexpected_step)\b/.exec(text)?.[1];
  return { status: response.status, code, text: text.slice(0, 300) };
}

async function expectRefused(response: Response, status: number, code: string, what: string): Promise<void> {
  const answer = await answerOf(response);
  assert.equal(answer.status, status, `${what}: ${answer.text}`);
  assert.equal(answer.code, code, `${what}: ${answer.text}`);
}

/** The newest audit record: a request that changed nothing appended none. */
async function newestAudit(): Promise<string> {
  await server.portcullis.audit.flush();
  return JSON.stringify((await server.portcullis.store.audit.list({ limit: 1 }))[0] ?? null);
}

// ---------------------------------------------------------------------------------------------
// Interactions at known steps.

type Fixture = 'login' | 'password_change_pending' | 'mfa_pending' | 'mfa_step_up' | 'consent';

/** Which route steps (router.ts) each kind of interaction is at. A second factor (or, for a person
 * marked must_change, a new password) pending after the password is still the login prompt (a
 * password typed again starts over) and also the `mfa` (or `new_password`) step. */
const SERVES: Record<Fixture, StepName[]> = {
  login: ['login'],
  password_change_pending: ['login', 'new_password'],
  mfa_pending: ['login', 'mfa'],
  mfa_step_up: ['mfa'],
  consent: ['consent'],
};
const FIXTURE_FOR: Record<StepName, Fixture> = {
  login: 'login',
  new_password: 'password_change_pending',
  mfa: 'mfa_pending',
  consent: 'consent',
  any: 'login',
};

interface AtStep {
  kind: Fixture;
  browser: Browserless;
  uid: string;
  csrf: string;
}

async function formOn(response: Response, what: string): Promise<{ uid: string; csrf: string }> {
  const html = await response.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1];
  assert.ok(csrf && uid, `${what}: a form (${response.status}) ${html.slice(0, 200)}`);
  return { uid, csrf };
}

async function interactionAt(kind: Fixture): Promise<AtStep> {
  const browser = new Browserless(server.url);
  if (kind === 'mfa_step_up') {
    // A password-only session (MFA_POLICY=when_required), then a client asks for the MFA acr.
    await drive(browser, (await startAuthorization(web, { scope: 'openid' })).url.href, { username: 'alice', password: PASSWORD });
  }
  const params: Record<string, string> = kind === 'mfa_pending' || kind === 'mfa_step_up' ? { scope: 'openid', acr_values: ACR_MFA } : { scope: 'openid' };
  let { response } = await browser.follow((await startAuthorization(web, params)).url.href);
  let form = await formOn(response, kind);
  if (kind === 'mfa_pending' || kind === 'consent' || kind === 'password_change_pending') {
    const username = { consent: 'bob', password_change_pending: 'carol' }[kind as string] ?? 'alice';
    const posted = await browser.postForm(`/interaction/${form.uid}/login`, { csrf: form.csrf, username, password: PASSWORD });
    assert.equal(posted.status, 303, `${kind}: the password is accepted`);
    ({ response } = await browser.follow(posted.headers.get('location') as string));
    form = await formOn(response, kind);
  }
  const view = (await (await browser.request(`/interaction/${form.uid}`, { headers: { accept: 'application/json' } })).json()) as { prompt: { name: string } };
  const prompts = { login: 'login', password_change_pending: 'login', mfa_pending: 'login', mfa_step_up: 'mfa', consent: 'consent' };
  assert.equal(view.prompt.name, prompts[kind], `${kind}: at the expected prompt`);
  return { kind, browser, ...form };
}

/** What a refused request must leave alone: the stored interaction, its pages, the audit trail. */
async function interactionState(at: AtStep): Promise<string> {
  const stored = await server.portcullis.store.model('Interaction').find(at.uid);
  assert.ok(stored, 'the interaction is stored');
  const view = await at.browser.request(`/interaction/${at.uid}`, { headers: { accept: 'application/json' } });
  const mfaPage = await at.browser.request(`/interaction/${at.uid}/mfa`, { headers: { accept: 'application/json' } });
  return JSON.stringify({ stored, view: [view.status, await view.text()], mfa: mfaPage.status, audit: await newestAudit() });
}

/** Bodies each interaction route accepts the shape of; a new route needs a line here. */
async function interactionFields(path: string): Promise<Record<string, string>> {
  const fields: Record<string, () => Promise<Record<string, string>>> = {
    '/login': async () => ({ username: 'alice', password: PASSWORD }),
    // Two different passwords: served, the page comes again and nothing is written (carol stays marked).
    '/new-password': async () => ({ new_password: 'a new passphrase for carol', confirm_password: 'not the same passphrase' }),
    '/mfa': async () => ({ code: await totpAt(aliceSecret, clock) }),
    '/mfa/enrol': async () => ({ code: await totpAt(aliceSecret, clock) }),
    '/confirm': async () => ({}),
    '/abort': async () => ({}),
    // Passkeys: asking for options, and answers that are not WebAuthn (refused past the pipeline with 4xx).
    '/passkey/options': async () => ({}),
    '/passkey': async () => ({ response: '{}' }),
    '/mfa/passkey/options': async () => ({}),
    '/mfa/passkey': async () => ({ response: '{}' }),
    '/mfa/passkey/enrol/options': async () => ({}),
    '/mfa/passkey/enrol': async () => ({ response: '{}', name: 'laptop' }),
  };
  const make = fields[path];
  assert.ok(make, `interaction route ${path}: add the fields it takes to interactionFields in this test`);
  return make();
}

function send(at: AtStep, method: string, path: string, fields: Record<string, string>): Promise<Response> {
  const url = `/interaction/${at.uid}${path === '/' ? '' : path}`;
  if (method === 'GET') return at.browser.request(url);
  return at.browser.postForm(url, fields);
}

// ---------------------------------------------------------------------------------------------
// /account: a signed-in person with a second session elsewhere and an authenticator.

const laptop = device(server.url, FIREFOX_LINUX);
const phone = device(server.url, IPHONE);
for (const browser of [phone, laptop]) {
  await drive(browser, (await startAuthorization(web, { scope: 'openid' })).url.href, { username: 'alice', password: PASSWORD });
  await openConsole(browser);
}
const phoneSession = (await currentSession(phone)).uid;

async function accountState(): Promise<string> {
  const sessions = (await listSessions(phone)).sessions.map((session) => session.uid).sort();
  const account = await server.portcullis.accounts.findById(aliceId);
  const mfa = await server.portcullis.mfa.status(aliceId);
  // The whole record (name, email, email_verified, password, status …) and every grant she holds,
  // so a route added for the profile or for connected apps is checked without editing this.
  const grants = (await server.portcullis.store.model('Grant').findByAccountId(aliceId)).map((grant) => grant.id).sort();
  const emailChanges = await server.portcullis.store.model('EmailChange').count();
  return JSON.stringify({ sessions, account, grants, emailChanges, mfa, audit: await newestAudit() });
}

/** Per route: fields that would change something if the route accepted them, and accepted ones. */
async function accountFields(
  route: MountedRoute,
): Promise<{ attackPath: string; attack: Record<string, string>; acceptedPath: string; accepted: Record<string, string> }> {
  const code = await totpAt(aliceSecret, clock);
  const rows: Record<string, { attack: Record<string, string>; accepted: Record<string, string>; uid?: [string, string] }> = {
    'POST /account/sessions/end': { attack: { uid: phoneSession }, accepted: { uid: 'no-such-session-uid' } },
    'POST /account/sessions/end-others': { attack: {}, accepted: {} },
    'POST /account/password': {
      attack: { current_password: PASSWORD, new_password: 'a brand new passphrase for alice', confirm_password: 'a brand new passphrase for alice' },
      accepted: {
        current_password: 'not the password',
        new_password: 'a brand new passphrase for alice',
        confirm_password: 'a brand new passphrase for alice',
      },
    },
    'POST /account/mfa/enrol': { attack: { code }, accepted: { code: '000000' } },
    'POST /account/mfa/backup-codes': { attack: { code }, accepted: { code: '000000' } },
    'POST /account/mfa/remove': { attack: { code }, accepted: { code: '000000' } },
    'POST /account/profile': { attack: { name: 'Mallory' }, accepted: { name: 'bell\u0007' } },
    'POST /account/profile/email': { attack: { email: 'mallory@example.com' }, accepted: { email: 'not an address' } },
    'DELETE /account/api/sessions': { attack: {}, accepted: {} },
    'DELETE /account/api/sessions/:uid': { attack: {}, accepted: {}, uid: [phoneSession, 'no-such-session-uid'] },
    'POST /account/apps/revoke': { attack: { client_id: 'web-app' }, accepted: { client_id: 'no-such-app' } },
    'DELETE /account/apps/:clientId': { attack: {}, accepted: {}, uid: ['web-app', 'no-such-app'] },
    'DELETE /account/api/apps/:clientId': { attack: {}, accepted: {}, uid: ['web-app', 'no-such-app'] },
    'POST /account/activity/not-me': { attack: {}, accepted: {} },
    'POST /account/passkeys/options': { attack: {}, accepted: {} },
    'POST /account/passkeys': { attack: { response: '{}', name: 'mallory' }, accepted: { response: '{}' } },
    'POST /account/passkeys/rename': { attack: { id: 'no-such-passkey-0123', name: 'mallory' }, accepted: { id: 'no-such-passkey-0123', name: 'x' } },
    'POST /account/passkeys/remove': { attack: { id: 'no-such-passkey-0123' }, accepted: { id: 'no-such-passkey-0123' } },
  };
  const row = rows[label(route)];
  assert.ok(row, `${label(route)}: add what it takes to accountFields in this test`);
  const [attackUid, acceptedUid] = row.uid ?? ['', ''];
  return {
    attackPath: route.path.replace(/:(uid|clientId)/, attackUid),
    attack: row.attack,
    acceptedPath: route.path.replace(/:(uid|clientId)/, acceptedUid),
    accepted: row.accepted,
  };
}

/** Forms carry the token in the `csrf` field, the JSON API in X-CSRF-Token. */
function sendAccount(browser: Browserless, method: string, path: string, fields: Record<string, string>, token: string | undefined): Promise<Response> {
  if (method === 'POST') return browser.postForm(path, token === undefined ? fields : { ...fields, csrf: token });
  return browser.request(path, { method, headers: { accept: 'application/json', ...(token === undefined ? {} : { 'x-csrf-token': token }) } });
}

// ---------------------------------------------------------------------------------------------
// Self-service pages: a live reset link for alice and a pending sign-up, written as the domain does.

const resetLink = newLinkToken();
const pendingLink = newLinkToken();
// carol's (not alice's: alice's reset link must stay addressed to her) email change, pending.
const emailChangeLink = newLinkToken();
const HOUR = 3600;
await server.portcullis.store
  .model('PasswordReset')
  .upsert(resetLink.id, { accountId: aliceId, email: 'alice@example.com', reason: 'requested', expiresAt: clock.now() + HOUR * 1000 }, HOUR);
await server.portcullis.store.model('PendingSignup').upsert(
  pendingLink.id,
  {
    email: 'routes-new@example.com',
    name: 'Routes',
    passwordHash: (await server.portcullis.accounts.findById(aliceId))?.passwordHash,
    expiresAt: clock.now() + HOUR * 1000,
  },
  HOUR,
);

await server.portcullis.store
  .model('EmailChange')
  .upsert(emailChangeLink.id, { accountId: carol.id, email: 'routes-carol@example.com', from: null, expiresAt: clock.now() + HOUR * 1000 }, HOUR);

const SELF_SERVICE_FIELDS: Record<string, { path: string; attack: Record<string, string>; accepted: Record<string, string> }> = {
  'POST /password/forgot': { path: '/password/forgot', attack: { identifier: 'alice' }, accepted: { identifier: 'nobody-at-all' } },
  'POST /password/reset/:token': {
    path: `/password/reset/${resetLink.token}`,
    attack: { new_password: 'a brand new passphrase for alice', confirm_password: 'a brand new passphrase for alice' },
    accepted: { new_password: 'a brand new passphrase for alice', confirm_password: 'not the same passphrase' },
  },
  'POST /signup': {
    path: '/signup',
    attack: { email: 'routes-signup@example.com', name: 'Routes', password: 'a brand new passphrase here', confirm_password: 'a brand new passphrase here' },
    accepted: { email: 'routes-signup@example.com', name: 'Routes', password: 'a brand new passphrase here', confirm_password: 'not the same passphrase' },
  },
  'POST /email/verify/:token': { path: `/email/verify/${pendingLink.token}`, attack: {}, accepted: {} },
  'POST /account/email/confirm/:token': { path: `/account/email/confirm/${emailChangeLink.token}`, attack: {}, accepted: {} },
};

function selfServiceFields(route: MountedRoute) {
  const row = SELF_SERVICE_FIELDS[label(route)];
  assert.ok(row, `${label(route)}: add what it takes to SELF_SERVICE_FIELDS in this test`);
  return row;
}

/** A browser's own token for the page at `path` (the link pages are bound to their link). */
async function selfServiceToken(browser: Browserless, path: string): Promise<string> {
  const html = await (await browser.request(path)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(csrf, `${path}: a form (${html.slice(0, 200)})`);
  return csrf;
}

async function selfServiceState(): Promise<string> {
  await server.portcullis.passwordReset?.idle();
  await server.portcullis.registration?.idle();
  const account = await server.portcullis.accounts.findById(aliceId);
  return JSON.stringify({
    passwordHash: account?.passwordHash,
    reset: await server.portcullis.store.model('PasswordReset').find(resetLink.id),
    pending: await server.portcullis.store.model('PendingSignup').count(),
    created: (await server.portcullis.accounts.findByUsername('routes-new@example.com')) !== undefined,
    carolEmail: (await server.portcullis.accounts.findById(carol.id))?.email,
    emailChange: await server.portcullis.store.model('EmailChange').find(emailChangeLink.id),
    budget: (await server.portcullis.lockout.check('password_reset.person', { person: aliceId })).failures,
    audit: await newestAudit(),
  });
}

describe('the route table: CSRF and step checks on every state-changing route', () => {
  after(() => server.close());

  it('finds the routes: all interaction routes come from the one table, and every state-changing route is covered', () => {
    const fromTable = INTERACTION_ROUTES.map((route) => `${route.method} ${trimSlash(INTERACTION_PREFIX + route.path)}`).sort();
    assert.deepEqual(interactionMounted.map((route) => `${route.method} ${trimSlash(route.path)}`).sort(), fromTable);
    assert.ok(fromTable.length >= 7, 'login, second factor, enrolment, consent, abort and their pages');
    assert.ok(accountRoutes.length >= 8, 'the /account forms and JSON API');
    for (const route of stateChanging) {
      const covered =
        route.path.startsWith(INTERACTION_PREFIX) ||
        isAccountPath(route.path) ||
        selfServiceRoutes.includes(route) ||
        BEARER_ONLY_PREFIXES.some((prefix) => route.path.startsWith(prefix));
      assert.ok(covered, `${label(route)} changes state and is neither an interaction nor an /account route: cover it in this test`);
    }
  });

  describe('interaction routes', async () => {
    const fixtures = new Map<Fixture, AtStep>();
    const fixture = async (kind: Fixture) => {
      let at = fixtures.get(kind);
      if (!at) {
        at = await interactionAt(kind);
        fixtures.set(kind, at);
      }
      return at;
    };
    /** A genuine token, from another browser's sign-in attempt. */
    const foreignToken = async () => (await interactionAt('login')).csrf;

    for (const route of INTERACTION_ROUTES.filter((row) => row.method === 'POST')) {
      it(`POST ${INTERACTION_PREFIX}${route.path}: no CSRF token, or another attempt's token, is 403 csrf_failed and changes nothing`, async () => {
        const at = await fixture(FIXTURE_FOR[route.step]);
        const before = await interactionState(at);
        const fields = await interactionFields(route.path);
        await expectRefused(await send(at, 'POST', route.path, fields), 403, 'csrf_failed', 'no token');
        await expectRefused(await send(at, 'POST', route.path, { ...fields, csrf: await foreignToken() }), 403, 'csrf_failed', 'a foreign token');
        assert.equal(await interactionState(at), before, 'nothing changed');
      });
    }

    for (const route of INTERACTION_ROUTES) {
      // `any` routes (the step page, abort) serve every step: there is no wrong one to refuse.
      if (route.step === 'any') continue;
      const wrong = (Object.keys(SERVES) as Fixture[]).filter((kind) => !SERVES[kind].includes(route.step));
      it(`${route.method} ${INTERACTION_PREFIX}${route.path} (step ${route.step}) is 400 unexpected_step at ${wrong.join(', ')}, and changes nothing`, async () => {
        assert.ok(wrong.length > 0);
        for (const kind of wrong) {
          const at = await fixture(kind);
          const before = await interactionState(at);
          const fields = route.method === 'POST' ? { ...(await interactionFields(route.path)), csrf: at.csrf } : {};
          await expectRefused(await send(at, route.method, route.path, fields), 400, 'unexpected_step', `at ${kind}`);
          assert.equal(await interactionState(at), before, `at ${kind}: nothing changed`);
        }
      });
    }

    for (const route of INTERACTION_ROUTES) {
      const kinds: Fixture[] = route.step === 'any' ? (Object.keys(SERVES) as Fixture[]) : [FIXTURE_FOR[route.step]];
      it(`${route.method} ${INTERACTION_PREFIX}${route.path} with its token passes the pipeline at ${kinds.join(', ')}`, async () => {
        for (const kind of kinds) {
          const at = await interactionAt(kind);
          const fields = route.method === 'POST' ? { ...(await interactionFields(route.path)), csrf: at.csrf } : {};
          // Past the pipeline the handler decides (a used code is 401, an authenticator already set up 409).
          const answer = await answerOf(await send(at, route.method, route.path, fields));
          assert.ok(answer.status < 500, `at ${kind}: ${answer.status} ${answer.text}`);
          assert.ok(answer.code !== 'csrf_failed' && answer.code !== 'unexpected_step', `at ${kind}: ${answer.status} ${answer.text}`);
        }
      });
    }
  });

  describe('self-service routes', () => {
    it('are mounted: forgot, reset, sign-up, confirmation', () => {
      assert.deepEqual(selfServiceRoutes.map(label).sort(), Object.keys(SELF_SERVICE_FIELDS).sort());
    });

    for (const route of selfServiceRoutes) {
      it(`${label(route)}: no CSRF token, another browser's token, or another page's token is 403 csrf_failed and changes nothing`, async () => {
        const { path, attack } = selfServiceFields(route);
        const victim = new Browserless(server.url);
        await selfServiceToken(victim, path);
        const before = await selfServiceState();
        await expectRefused(await victim.postForm(path, attack), 403, 'csrf_failed', 'no token');
        const other = await selfServiceToken(new Browserless(server.url), path);
        await expectRefused(await victim.postForm(path, { ...attack, csrf: other }), 403, 'csrf_failed', 'another browser’s token');
        // The link pages bind their token to the link; forgot and sign-up share the session-less binding.
        const linkPage = route.path.includes(':token');
        const otherPage = await selfServiceToken(victim, linkPage ? '/password/forgot' : `/password/reset/${resetLink.token}`);
        await expectRefused(await victim.postForm(path, { ...attack, csrf: otherPage }), 403, 'csrf_failed', 'another page’s token');
        assert.equal(await selfServiceState(), before, 'nothing changed');
      });
    }

    for (const route of selfServiceRoutes) {
      it(`${label(route)} with its page's token is not refused for CSRF`, async () => {
        const { path, accepted } = selfServiceFields(route);
        const browser = new Browserless(server.url);
        const answer = await answerOf(await browser.postForm(path, { ...accepted, csrf: await selfServiceToken(browser, path) }));
        assert.notEqual(answer.code, 'csrf_failed', answer.text);
        assert.ok(answer.status < 500 && answer.status !== 403, `${answer.status} ${answer.text}`);
      });
    }
  });

  describe('/account routes', () => {
    it('every state-changing route of the console router is in this table, excluding none', () => {
      // The email-change link works without a session: it is checked with the link pages above.
      const linkPage = (route: string) => SELF_SERVICE_PREFIXES.some((prefix) => route.split(' ')[1]?.startsWith(prefix));
      assert.deepEqual(consoleRouterRoutes.filter(linkPage), ['POST /account/email/confirm/:token']);
      assert.deepEqual(accountRoutes.map(label).sort(), consoleRouterRoutes.filter((route) => !linkPage(route)).sort());
      for (const route of ['POST /account/password', 'POST /account/mfa/remove', 'DELETE /account/api/sessions/:uid']) {
        assert.ok(consoleRouterRoutes.includes(route), `${route} is read from the router`);
      }
    });

    for (const route of accountRoutes) {
      it(`${label(route)}: no CSRF token, or another session's token, is 403 csrf_failed and changes nothing`, async () => {
        const { attackPath: path, attack } = await accountFields(route);
        const { csrf: phoneToken } = await listSessions(phone);
        const before = await accountState();
        await expectRefused(await sendAccount(laptop, route.method, path, attack, undefined), 403, 'csrf_failed', 'no token');
        await expectRefused(await sendAccount(laptop, route.method, path, attack, phoneToken), 403, 'csrf_failed', 'the other session’s token');
        assert.equal(await accountState(), before, 'nothing changed');
      });
    }

    for (const route of accountRoutes) {
      it(`${label(route)} with this session's token is not refused for CSRF`, async () => {
        const { acceptedPath, accepted } = await accountFields(route);
        const { csrf } = await listSessions(laptop);
        const answer = await answerOf(await sendAccount(laptop, route.method, acceptedPath, accepted, csrf));
        assert.notEqual(answer.code, 'csrf_failed', answer.text);
        assert.notEqual(answer.status, 403, answer.text);
        assert.ok(answer.status < 500, answer.text);
      });
    }
  });
});
