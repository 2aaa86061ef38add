/**
 * /admin/v1/users with real admin tokens, as clients and people obtain them: the anti-escalation
 * policy over HTTP for actors with fewer permissions than the operator, each refusal a 403 with
 * its stable code, audited, and nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { adminResourceOf } from '../../src/rbac/scopes.ts';
import { Browserless } from '../support/browserless.ts';
import { auditEvents } from '../support/families.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const DESK = { client_id: 'desk-robot', secret: 'desk-robot-secret-that-is-long-enough' };
const HR = { client_id: 'hr-robot', secret: 'hr-robot-secret-that-is-long-enough' };
const CONSOLE = { client_id: 'users-console', secret: 'users-console-secret-that-is-long-enough' };
const robot = (client: typeof DESK, adminScopes: string[]) => ({
  client_id: client.client_id,
  client_secret: client.secret,
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_post',
  admin_scopes: adminScopes,
});
const person = (username: string, adminRoles: string[]) => ({
  username,
  email: `${username}@example.com`,
  roles: ['user'],
  admin_roles: adminRoles,
  password: PASSWORD,
});

const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  clients: [
    ...DEFAULT_BOOTSTRAP.clients,
    // The helpdesk role's permissions, as a machine.
    robot(DESK, ['users:read', 'users:mfa', 'sessions:read', 'sessions:write', 'lockout:read', 'lockout:write']),
    // May create and change people, but holds nothing else.
    robot(HR, ['users:read', 'users:write']),
    {
      client_id: CONSOLE.client_id,
      client_secret: CONSOLE.secret,
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile offline_access',
      first_party: true,
      admin_scopes: ['users:read', 'users:write', 'users:mfa', 'sessions:read', 'sessions:write'],
    },
  ],
  users: [...DEFAULT_BOOTSTRAP.users, person('desk-person', ['helpdesk']), person('boss', ['admin']), person('boss-two', ['admin'])],
};

describe('admin API: users with admin tokens', () => {
  const clock = new TestClock();
  let server: TestServer;
  let resource: string;
  const secrets: Record<string, string> = {};
  const ids: Record<string, string> = {};

  before(async () => {
    server = await startServer({ bootstrap: BOOTSTRAP, options: { now: clock.now } });
    resource = adminResourceOf(server.url);
    for (const name of ['desk-person', 'boss', 'boss-two', 'bob']) ids[name] = (await server.portcullis.accounts.findByUsername(name))?.id as string;
    for (const name of ['desk-person', 'boss']) secrets[name] = (await enrolDirectly(server, name, clock)).secret;
  });
  after(() => server.close());

  const robotToken = async (client: typeof DESK, scope: string) => {
    const config = await discover(server.url, client.client_id, client.secret, oidc.ClientSecretPost(client.secret));
    return (await oidc.clientCredentialsGrant(config, { resource, scope })).access_token;
  };
  const personToken = async (username: string, scope: string) => {
    const config = await discover(server.url, CONSOLE.client_id, CONSOLE.secret);
    const start = await startAuthorization(config, { scope: `openid ${scope}`, resource, prompt: 'login' });
    const { callback } = await drive(new Browserless(server.url), start.url.href, {
      username,
      password: PASSWORD,
      code: () => totpAt(secrets[username] as string, clock),
    });
    assert.ok(callback, `${username} did not get back to the client`);
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce },
      { resource },
    );
    return tokens.access_token;
  };
  const call = (token: string, method: string, path: string, json?: unknown) =>
    fetch(`${server.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  const refused = async (response: Response, code: string) => {
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: string }).error, code);
  };

  it("a helpdesk robot cannot reset an admin's factors, and can reset a plain person's", async () => {
    const token = await robotToken(DESK, 'users:mfa users:read');
    await refused(await call(token, 'DELETE', `/users/${ids.boss}/mfa`), 'target_outranks_actor');
    assert.equal((await server.portcullis.store.mfa.listByAccount(ids.boss as string)).length > 0, true);
    const refusal = (await auditEvents(server, 'admin.refused')).find((event) => event.accountId === ids.boss);
    assert.deepEqual(refusal?.detail?.actor, { kind: 'client', id: DESK.client_id });
    assert.equal(refusal?.detail?.error, 'target_outranks_actor');

    assert.equal((await call(token, 'DELETE', `/users/${ids.bob}/mfa`)).status, 204);
    const [reset] = (await auditEvents(server, 'admin.users.mfa_reset')).filter((event) => event.accountId === ids.bob);
    assert.deepEqual(reset?.detail?.actor, { kind: 'client', id: DESK.client_id });
  });

  it('a robot that may write users cannot grant admin, to a new person or an existing one', async () => {
    const token = await robotToken(HR, 'users:read users:write');
    await refused(await call(token, 'POST', '/users', { username: 'made-admin', password: PASSWORD, admin_roles: ['admin'] }), 'privilege_escalation');
    assert.equal(await server.portcullis.accounts.findByUsername('made-admin'), undefined);
    await refused(await call(token, 'PATCH', `/users/${ids.bob}`, { admin_roles: ['helpdesk'] }), 'privilege_escalation');
    assert.equal((await server.portcullis.accounts.findById(ids.bob as string))?.adminRoles, undefined);
    // Nor change an admin at all.
    await refused(await call(token, 'PATCH', `/users/${ids['boss-two']}`, { name: 'Renamed' }), 'target_outranks_actor');
    // What it does hold, it may do.
    assert.equal((await call(token, 'POST', '/users', { username: 'made-plain', password: PASSWORD })).status, 201);
  });

  it('a token without the route scope is refused before the policy is asked', async () => {
    const token = await robotToken(DESK, 'users:read');
    const response = await call(token, 'DELETE', `/users/${ids.bob}/mfa`);
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate') ?? '', /insufficient_scope/);
  });

  it('a helpdesk person cannot reset an admin’s factors nor give themselves admin', async () => {
    const token = await personToken('desk-person', 'users:read users:mfa');
    await refused(await call(token, 'DELETE', `/users/${ids.boss}/mfa`), 'target_outranks_actor');
    // users:write is beyond the helpdesk role: the token never carries it.
    const escalate = await call(token, 'PATCH', `/users/${ids['desk-person']}`, { admin_roles: ['admin'] });
    assert.equal(escalate.status, 403);
    assert.deepEqual((await server.portcullis.accounts.findById(ids['desk-person'] as string))?.adminRoles, ['helpdesk']);
  });

  it('an admin person cannot disable or delete themselves', async () => {
    const token = await personToken('boss', 'users:read users:write');
    await refused(await call(token, 'PATCH', `/users/${ids.boss}`, { disabled: true }), 'self_lockout');
    await refused(await call(token, 'DELETE', `/users/${ids.boss}`), 'self_lockout');
    const boss = await server.portcullis.accounts.findById(ids.boss as string);
    assert.equal(boss?.status, 'active');
    assert.equal(boss?.deletedAt, undefined);
  });
});
