/**
 * The admin API's one auth check, proven with tokens real clients obtain: every way a token can be
 * wrong answers 401 invalid_token with a precise error_description in the body and in
 * WWW-Authenticate (RFC 6750), too little scope answers 403 insufficient_scope naming the scope,
 * and every refusal is in the stored audit trail. Then a matrix over every route of the table
 * (read from the router at test time, so routes added later are covered too).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import type { AdminDeps } from '../../src/admin/router.ts';
import { adminRoutes } from '../../src/admin/router.ts';
import { ADMIN_PREFIX, ADMIN_SCOPES, adminResourceOf } from '../../src/rbac/scopes.ts';
import { ADMIN_BOOTSTRAP, ALL, CONSOLE, OPS } from '../support/admin.ts';
import { Browserless } from '../support/browserless.ts';
import { captureLogger } from '../support/log-capture.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const OPERATOR_TOKEN = 'operator-token-for-admin-auth-tests-0123456789';
const API = 'https://api.example.com';
// Tokens live 10 minutes, a sign-in counts for 5: each can be outlived alone by moving the clock.
const ENV = { OPERATOR_TOKEN, ADMIN_TOKEN_TTL: '10m', ADMIN_MAX_AUTH_AGE: '5m' };

interface Answer {
  status: number;
  challenge: string | null;
  body: { error?: string; error_description?: string };
}

/** A route reached with every `:param` replaced by a value that names nothing. */
const concrete = (path: string) => path.replace(/:[A-Za-z_]+/g, 'bogus-0000');

/**
 * Dependencies that do nothing: enough to build the route table (handlers are never reached
 * here), whatever a route module takes from them.
 */
function inertDeps(): AdminDeps {
  const inert: unknown = new Proxy(() => inert, {
    get: (_target, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => 'inert' : inert),
    apply: () => inert,
  });
  return inert as AdminDeps;
}

describe('admin API auth check', () => {
  const clock = new TestClock();
  const capture = captureLogger('warn');
  let server: TestServer;
  let resource: string;
  let ops: oidc.Configuration;
  let all: oidc.Configuration;
  let console_: oidc.Configuration;
  const secrets: Record<string, string> = {};

  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP, env: ENV, options: { now: clock.now, logger: capture.logger } });
    resource = adminResourceOf(server.url);
    ops = await discover(server.url, OPS.client_id, OPS.secret, oidc.ClientSecretPost(OPS.secret));
    all = await discover(server.url, ALL.client_id, ALL.secret, oidc.ClientSecretPost(ALL.secret));
    console_ = await discover(server.url, CONSOLE.client_id, CONSOLE.secret);
    for (const name of ['hanna', 'ivan']) secrets[name] = (await enrolDirectly(server, name, clock)).secret;
  });
  after(() => server.close());

  async function call(method: string, path: string, token?: string): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${server.url}${ADMIN_PREFIX}${path}`, { method: method.toUpperCase(), headers, ...(method === 'get' ? {} : { body: '{}' }) });
    return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Answer['body'] };
  }

  /** 401 invalid_token, the same precise description in the body and in the challenge. */
  function assertInvalid(answer: Answer, description: string, label = description) {
    assert.equal(answer.status, 401, `${label}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error, 'invalid_token', label);
    assert.equal(answer.body.error_description, description, label);
    assert.equal(answer.challenge, `Bearer realm="portcullis-admin", error="invalid_token", error_description="${description}"`, label);
  }

  const clientToken = async (config: oidc.Configuration, scope: string, target = resource) =>
    (await oidc.clientCredentialsGrant(config, { resource: target, scope })).access_token;

  async function personToken(username: string, scope: string) {
    const start = await startAuthorization(console_, { scope: `openid ${scope}`, resource, prompt: 'login' });
    clock.advance(30);
    const result = await drive(new Browserless(server.url), start.url.href, {
      username,
      password: PASSWORD,
      code: () => totpAt(secrets[username] as string, clock),
    });
    const tokens = await oidc.authorizationCodeGrant(
      console_,
      result.callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource },
    );
    return { access: tokens.access_token, id: tokens.id_token as string };
  }

  it('no token: 401 with the bare Bearer challenge', async () => {
    const answer = await call('get', '/keys');
    assert.equal(answer.status, 401);
    assert.equal(answer.challenge, 'Bearer realm="portcullis-admin"');
    assert.equal(answer.body.error, 'missing_token');
  });

  it('too little scope: 403 insufficient_scope naming the scope the route needs', async () => {
    const token = await clientToken(ops, 'users:read keys:read');
    const answer = await call('post', '/keys/rotate', token);
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error, 'insufficient_scope');
    assert.equal(answer.challenge, 'Bearer realm="portcullis-admin", error="insufficient_scope", scope="keys:write"');
    assert.equal((await call('get', '/keys', token)).status, 200);
  });

  it('an expired token', async () => {
    const token = await clientToken(ops, 'keys:read');
    clock.advance(11 * 60);
    try {
      assertInvalid(await call('get', '/keys', token), 'the token has expired');
    } finally {
      clock.advance(-11 * 60);
    }
    assert.equal((await call('get', '/keys', token)).status, 200, 'the same token before it expires');
  });

  it('a token for another audience (an ordinary API of this issuer)', async () => {
    const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
    const token = await clientToken(machine, 'read', API);
    assert.equal(decodeJwt(token).aud, API);
    assertInvalid(await call('get', '/keys', token), 'the token is not for the admin API (wrong audience)');
  });

  it('a token from another issuer, signed with a key of its own', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = (await exportJWK(publicKey)).kty;
    const forged = await new SignJWT({ scope: 'keys:read', client_id: OPS.client_id })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setIssuer('https://elsewhere.example.com')
      .setAudience(resource)
      .setSubject(OPS.client_id)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    assertInvalid(await call('get', '/keys', forged), 'the token was issued by another issuer');
  });

  it('a token whose signature does not verify (claims changed after signing)', async () => {
    const token = await clientToken(ops, 'keys:read');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'keys:read keys:write' })).toString('base64url');
    assertInvalid(await call('post', '/keys/rotate', `${header}.${widened}.${signature}`), 'the token signature does not verify against the published keys');
    // The signature of another token over these claims does not verify either.
    const other = (await clientToken(ops, 'keys:read')).split('.')[2];
    assertInvalid(
      await call('get', '/keys', `${header}.${payload}.${other}`),
      'the token signature does not verify against the published keys',
      'swapped signature',
    );
  });

  it('a JWT that is not an access token (an ID token of this issuer, typ other than at+jwt)', async () => {
    const { id } = await personToken('ivan', 'keys:read');
    assert.notEqual(decodeProtectedHeader(id).typ, 'at+jwt');
    assertInvalid(await call('get', '/keys', id), 'the token is not an access token (typ must be at+jwt)');
  });

  it('a DPoP-bound token sent as a Bearer token', async () => {
    const dpop = oidc.getDPoPHandle(ops, await oidc.randomDPoPKeyPair());
    const tokens = await oidc.clientCredentialsGrant(ops, { resource, scope: 'keys:read' }, { DPoP: dpop });
    assert.equal(tokens.token_type, 'dpop');
    assertInvalid(await call('get', '/keys', tokens.access_token), 'the token is DPoP-bound; the admin API accepts Bearer tokens only');
  });

  it('a person later disabled, deleted, or stripped of their admin roles', async () => {
    const ivan = (await server.portcullis.accounts.findByUsername('ivan')) as { id: string };
    const { access } = await personToken('ivan', 'keys:read users:read');
    assert.equal((await call('get', '/keys', access)).status, 200);
    const accounts = server.portcullis.store.accounts;
    try {
      await accounts.update(ivan.id, { status: 'disabled' });
      assertInvalid(await call('get', '/keys', access), 'the person this token was issued to is disabled or deleted');
      await accounts.update(ivan.id, { status: 'active', deletedAt: new Date() });
      assertInvalid(await call('get', '/keys', access), 'the person this token was issued to is disabled or deleted', 'deleted');
      await accounts.update(ivan.id, { deletedAt: undefined, adminRoles: [] });
      const answer = await call('get', '/keys', access);
      assert.equal(answer.status, 403, 'the token still says keys:read; ivan no longer holds it');
      assert.equal(answer.body.error, 'insufficient_scope');
    } finally {
      await accounts.update(ivan.id, { status: 'active', deletedAt: undefined, adminRoles: ['admin'] });
    }
  });

  it('a sign-in older than ADMIN_MAX_AUTH_AGE, while the token itself is still valid; client tokens have no sign-in to age', async () => {
    const { access } = await personToken('ivan', 'keys:read');
    const robot = await clientToken(ops, 'keys:read');
    clock.advance(6 * 60);
    try {
      assertInvalid(await call('get', '/keys', access), 'the sign-in behind this token is too old; sign in again');
      assert.equal((await call('get', '/keys', robot)).status, 200);
    } finally {
      clock.advance(-6 * 60);
    }
  });

  it('OPERATOR_TOKEN works with every scope, logs a warning and is audited as the operator', async () => {
    const before = capture.warnings().length;
    assert.equal((await call('get', '/keys', OPERATOR_TOKEN)).status, 200);
    assert.equal((await call('post', '/keys/rotate', OPERATOR_TOKEN)).status, 200);
    const warnings = capture.warnings().slice(before);
    assert.equal(warnings.filter((line) => line.msg.includes('OPERATOR_TOKEN')).length, 2);
    await server.portcullis.audit.flush();
    const uses = await server.portcullis.store.audit.list({ type: 'admin.operator_token' });
    assert.ok(uses.some((event) => event.detail?.path === '/admin/v1/keys' && (event.detail?.actor as { kind?: string })?.kind === 'operator'));
    const [rotated] = await server.portcullis.store.audit.list({ type: 'admin.keys.rotate' });
    assert.deepEqual(rotated?.detail?.actor, { kind: 'operator', id: 'operator' });
  });

  it('records every refusal in the stored audit trail', async () => {
    await call('get', '/lockout');
    await call('get', '/lockout', 'not-a-jwt-at-all');
    await call('post', '/lockout/lock', await clientToken(ops, 'lockout:read'));
    await server.portcullis.audit.flush();
    const refused = await server.portcullis.store.audit.list({ type: 'admin.refused' });
    const seen = (error: string) => refused.find((event) => event.detail?.error === error && event.detail?.path?.toString().startsWith('/admin/v1/lockout'));
    assert.equal(seen('missing_token')?.detail?.status, 401);
    assert.equal(seen('invalid_token')?.detail?.status, 401);
    assert.deepEqual(
      { status: seen('insufficient_scope')?.detail?.status, scope: seen('insufficient_scope')?.detail?.scope },
      { status: 403, scope: 'lockout:write' },
    );
  });

  it('a token signed by a key since revoked', async () => {
    const token = await clientToken(ops, 'keys:read');
    assert.equal((await call('get', '/keys', token)).status, 200);
    const kid = decodeProtectedHeader(token).kid as string;
    const revoked = await call('post', `/keys/${kid}/revoke`, OPERATOR_TOKEN);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assertInvalid(await call('get', '/keys', token), 'the token signature does not verify against the published keys');
    assert.equal((await call('get', '/keys', await clientToken(ops, 'keys:read'))).status, 200, 'a token from the replacement key works');
  });

  describe('every route of the table', () => {
    const table = adminRoutes(inertDeps());

    it('is the table the server serves: each admin route it answers is in it', () => {
      const served = server.portcullis.app.middleware
        .map((middleware) => (middleware as { router?: { stack: Array<{ path: string; methods: string[] }> } }).router)
        .filter((router) => router !== undefined)
        .flatMap((router) => router.stack)
        .filter((layer) => layer.path.startsWith(`${ADMIN_PREFIX}/`))
        .flatMap((layer) => layer.methods.filter((method) => method !== 'HEAD').map((method) => `${method} ${layer.path}`));
      const listed = table.map((entry) => `${entry.method.toUpperCase()} ${ADMIN_PREFIX}${entry.path}`);
      assert.ok(listed.length >= 6, listed.join('\n'));
      assert.deepEqual([...new Set(served)].sort(), [...new Set(listed)].sort());
    });

    it('refuses a missing, expired, wrong-audience or under-scoped token on each route', async () => {
      const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
      const wrongAudience = await clientToken(machine, 'read', API);
      const expired = await clientToken(all, ADMIN_SCOPES.join(' '));
      for (const entry of table) {
        const label = `${entry.method.toUpperCase()} ${entry.path}`;
        const path = concrete(entry.path);
        const missing = await call(entry.method, path);
        assert.equal(missing.status, 401, label);
        assert.equal(missing.challenge, 'Bearer realm="portcullis-admin"', label);
        assertInvalid(await call(entry.method, path, wrongAudience), 'the token is not for the admin API (wrong audience)', `${label} wrong audience`);
        const others = ADMIN_SCOPES.filter((scope) => scope !== entry.scope).join(' ');
        const underScoped = await call(entry.method, path, await clientToken(all, others));
        assert.equal(underScoped.status, 403, label);
        assert.equal(underScoped.body.error, 'insufficient_scope', label);
        assert.equal(underScoped.challenge, `Bearer realm="portcullis-admin", error="insufficient_scope", scope="${entry.scope}"`, label);
      }
      clock.advance(11 * 60);
      try {
        for (const entry of table) {
          assertInvalid(await call(entry.method, concrete(entry.path), expired), 'the token has expired', `${entry.method} ${entry.path} expired`);
        }
      } finally {
        clock.advance(-11 * 60);
      }
    });
  });
});

describe('ADMIN_ALLOWED_ADDRESSES', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN, ADMIN_ALLOWED_ADDRESSES: '10.0.0.0/8,192.0.2.7' } });
  });
  after(() => server.close());

  it('refuses an address outside the list with 403 address_not_allowed, even with the operator token, and audits it', async () => {
    const response = await fetch(`${server.url}/admin/v1/keys`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' } });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: string }).error, 'address_not_allowed');
    await server.portcullis.audit.flush();
    const [refused] = await server.portcullis.store.audit.list({ type: 'admin.refused' });
    assert.equal(refused?.detail?.error, 'address_not_allowed');
  });
});
