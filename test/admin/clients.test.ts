/**
 * The clients resource of /admin/v1 over HTTP: register, read, change, rotate and delete clients
 * while the server runs; the secret is the server's, shown once, and works at the token endpoint;
 * a deleted client's tokens stop working; nothing a caller sends is a 500 or a partial write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientAdminToken } from '../support/admin-token.ts';
import { familyOf, grantExists, liveTokens, signIn } from '../support/families.ts';
import { captureLogger } from '../support/log-capture.ts';
import { CALLBACK, discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const OPAQUE = 'https://opaque.example.com';

const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  // The API's own client may introspect its tokens (oidc/introspection.ts).
  resources: DEFAULT_BOOTSTRAP.resources.map((resource) => (resource.identifier === OPAQUE ? { ...resource, introspectors: ['resource-server'] } : resource)),
};

interface Json {
  [key: string]: unknown;
}

const machine = (extra: Json = {}) => ({
  grant_types: ['client_credentials'],
  redirect_uris: [],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_basic',
  ...extra,
});

describe('admin API: clients', () => {
  let server: TestServer;
  const log = captureLogger('warn');

  async function call(method: string, path: string, body?: unknown, token = TOKEN) {
    const response = await fetch(`${server.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  async function clientCredentials(id: string, secret: string, extra: Record<string, string> = {}) {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  async function introspect(token: string) {
    const response = await fetch(`${server.url}/token/introspection`, {
      method: 'POST',
      headers: { authorization: basic('resource-server', 'resource-server-secret-long-enough'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    return (await response.json()) as { active: boolean };
  }

  /** Everything a client write could touch: the listed views and the stored index records. */
  async function snapshot() {
    const list = await call('GET', '/clients?limit=100');
    const records = server.portcullis.store.records;
    const stored = await Promise.all(((list.body.items ?? []) as Json[]).map((item) => server.portcullis.store.model('Client').find(String(item.client_id))));
    return JSON.stringify({ list: list.body, stored, index: await records.list('client'), tombstones: await records.list('client-tombstone') });
  }

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN }, bootstrap: BOOTSTRAP, options: { logger: log.logger } });
  });
  after(() => server.close());

  it('creates a confidential client whose secret is shown once, has 256 bits and works at the token endpoint', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'billing', client_name: 'Billing' }));
    assert.equal(created.status, 201);
    assert.equal(created.body.client_id, 'billing');
    assert.equal(created.body.client_secret_expires_at, 0);
    const secret = String(created.body.client_secret);
    assert.ok(Buffer.from(secret, 'base64url').length >= 32, 'at least 256 bits');
    const read = await call('GET', '/clients/billing');
    assert.equal(read.status, 200);
    assert.equal(read.body.client_name, 'Billing');
    assert.equal('client_secret' in read.body, false, 'never the secret again');
    const listed = (await call('GET', '/clients?limit=100')).body.items as Json[];
    const entry = listed.find((item) => item.client_id === 'billing');
    assert.ok(entry);
    assert.equal('client_secret' in entry, false);
    assert.equal((await clientCredentials('billing', secret)).status, 200);
    const stored = await server.portcullis.store.model('Client').find('billing');
    assert.notEqual(stored?.client_secret, secret, 'sealed at rest');
  });

  it('generates a client_id when none is given, and no secret for a public client', async () => {
    const created = await call('POST', '/clients', {
      token_endpoint_auth_method: 'none',
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['authorization_code'],
    });
    assert.equal(created.status, 201);
    assert.match(String(created.body.client_id), /^[A-Za-z0-9_-]{22}$/);
    assert.equal('client_secret' in created.body, false);
    assert.equal(created.body.client_secret_expires_at, 0);
  });

  it('issues a secret, shown once, when an update moves a public client to a secret-based method', async () => {
    const created = await call('POST', '/clients', {
      client_id: 'going-confidential',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['https://a.example.com/cb'],
    });
    assert.equal('client_secret' in created.body, false);
    const patched = await call('PATCH', '/clients/going-confidential', { token_endpoint_auth_method: 'client_secret_post' });
    assert.equal(patched.status, 200);
    assert.equal(Buffer.from(String(patched.body.client_secret), 'base64url').length, 32);
    assert.equal(patched.body.client_secret_expires_at, 0);
    assert.equal('client_secret' in (await call('GET', '/clients/going-confidential')).body, false);
    const back = await call('PATCH', '/clients/going-confidential', { token_endpoint_auth_method: 'none' });
    assert.equal('client_secret' in back.body, false);
    assert.equal((await server.portcullis.store.model('Client').find('going-confidential'))?.client_secret, undefined, 'the secret is dropped');
  });

  it('rotates a secret at once: the old one fails at the next token request, the new one works', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'rotating' }));
    const old = String(created.body.client_secret);
    const rotated = await call('POST', '/clients/rotating/secret');
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.client_id, 'rotating');
    assert.equal(rotated.body.client_secret_expires_at, 0);
    const fresh = String(rotated.body.client_secret);
    assert.notEqual(fresh, old);
    assert.equal((await clientCredentials('rotating', old)).status, 401);
    assert.equal((await clientCredentials('rotating', fresh)).status, 200);
    const publicClient = await call('POST', '/clients', {
      client_id: 'no-secret',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['https://a.example.com/cb'],
    });
    assert.equal(publicClient.status, 201);
    assert.equal((await call('POST', '/clients/no-secret/secret')).body.error, 'client_not_confidential');
  });

  it('keeps a client built from its record until the record changes: every change applies from the next request', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'remembered' }));
    const secret = String(created.body.client_secret);
    // The embedded store keeps revisions (storage/port.ts): count how often the record itself is read.
    const records = server.portcullis.store.model('Client');
    const find = records.find;
    let reads = 0;
    records.find = (id) => {
      if (id === 'remembered') reads += 1;
      return find.call(records, id);
    };
    try {
      assert.equal((await clientCredentials('remembered', secret)).status, 200);
      const first = reads;
      assert.ok(first >= 1);
      assert.equal((await clientCredentials('remembered', secret)).status, 200);
      assert.equal((await clientCredentials('remembered', 'not-the-secret')).status, 401);
      assert.equal(reads, first, 'an unchanged record is not read again');

      const rotated = await call('POST', '/clients/remembered/secret');
      const fresh = String(rotated.body.client_secret);
      assert.equal((await clientCredentials('remembered', secret)).status, 401, 'the old secret fails at once');
      assert.equal((await clientCredentials('remembered', fresh)).status, 200);
      assert.ok(reads > first, 'the changed record was read');

      const patched = await call('PATCH', '/clients/remembered', {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['https://a.example.com/cb'],
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const refused = await clientCredentials('remembered', fresh);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(String(refused.body.error_description), /grant type is not allowed for this client/);

      assert.equal((await call('DELETE', '/clients/remembered')).status, 204);
      assert.equal((await clientCredentials('remembered', fresh)).status, 401, 'a deleted client is unknown at once');
    } finally {
      records.find = find;
    }
  });

  it('updates with an RFC 7396 merge, validates the result and keeps the secret', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'patched', client_name: 'Before', client_uri: 'https://before.example.com' }));
    const secret = String(created.body.client_secret);
    const patched = await call('PATCH', '/clients/patched', { client_name: 'After', client_uri: null });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.client_name, 'After');
    assert.equal('client_uri' in patched.body, false, 'null removes the member');
    assert.deepEqual(patched.body.grant_types, ['client_credentials'], 'untouched members stay');
    assert.equal('client_secret' in patched.body, false);
    assert.equal((await clientCredentials('patched', secret)).status, 200, 'the secret survives the update');
    const invalid = await call('PATCH', '/clients/patched', { redirect_uris: ['not a url'] });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error, 'invalid_client_metadata');
    assert.equal((await call('GET', '/clients/patched')).body.client_name, 'After');
  });

  it('deleting a client ends its tokens at introspection and reserves its id until purge', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'doomed' }));
    const secret = String(created.body.client_secret);
    const issued = await clientCredentials('doomed', secret, { resource: OPAQUE, scope: 'read' });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const token = String(issued.body.access_token);
    assert.equal((await introspect(token)).active, true);

    assert.equal((await call('DELETE', '/clients/doomed')).status, 204);
    assert.equal((await introspect(token)).active, false);
    assert.equal((await clientCredentials('doomed', secret)).status, 401);
    assert.equal((await call('GET', '/clients/doomed')).body.error, 'client_not_found');
    assert.equal(
      ((await call('GET', '/clients?limit=100')).body.items as Json[]).some((item) => item.client_id === 'doomed'),
      false,
    );
    assert.equal((await call('DELETE', '/clients/doomed')).status, 404);

    const again = await call('POST', '/clients', machine({ client_id: 'doomed' }));
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'client_exists');
    assert.equal((await call('DELETE', '/clients/doomed?purge=true')).status, 204);
    assert.equal((await call('POST', '/clients', machine({ client_id: 'doomed' }))).status, 201);
    assert.equal((await call('DELETE', '/clients/doomed?purge=true')).status, 204, 'purge of a live client deletes and frees it');
    assert.equal((await call('POST', '/clients', machine({ client_id: 'doomed' }))).status, 201);
  });

  it('deleting a client ends the grants people gave it, with their refresh tokens', async () => {
    const created = await call('POST', '/clients', {
      client_id: 'signed-in-app',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
      first_party: true,
    });
    assert.equal(created.status, 201);
    const config = await discover(server.url, 'signed-in-app', String(created.body.client_secret));
    const tokens = await signIn(server, config);
    const grantId = await familyOf(server, tokens.refresh_token);
    assert.equal(await grantExists(server, grantId), true);
    assert.equal((await liveTokens(server, grantId)).length, 1);
    assert.equal((await call('DELETE', '/clients/signed-in-app')).status, 204);
    assert.equal(await grantExists(server, grantId), false, 'the grant is gone');
    assert.deepEqual(await liveTokens(server, grantId), [], 'and its refresh tokens with it');
  });

  it('answers internal clients read-only and never lists them', async () => {
    const listed = (await call('GET', '/clients?limit=100')).body.items as Json[];
    assert.equal(
      listed.some((item) => String(item.client_id).startsWith('portcullis-')),
      false,
    );
    const cli = await call('GET', '/clients/portcullis-cli');
    assert.equal(cli.status, 200);
    assert.equal(cli.body.client_id, 'portcullis-cli');
    const before = await snapshot();
    for (const [method, path, body] of [
      ['PATCH', '/clients/portcullis-cli', { client_name: 'mine' }],
      ['DELETE', '/clients/portcullis-account', undefined],
      ['DELETE', '/clients/portcullis-account?purge=true', undefined],
      ['POST', '/clients/portcullis-cli/secret', undefined],
    ] as const) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.body.error, 'internal_client');
    }
    const taken = await call('POST', '/clients', machine({ client_id: 'portcullis-cli' }));
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error, 'client_exists');
    assert.equal(await snapshot(), before);
  });

  it('pages through the clients with a cursor, each once and in order', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) assert.equal((await call('POST', '/clients', machine({ client_id: id }))).status, 201);
    const all = ((await call('GET', '/clients?limit=100')).body.items as Json[]).map((item) => String(item.client_id));
    assert.deepEqual(all, [...all].sort());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await call('GET', `/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const items = page.body.items as Json[];
      assert.ok(items.length <= 2);
      seen.push(...items.map((item) => String(item.client_id)));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    assert.deepEqual(seen, all);
    assert.ok(all.includes('web-app'), 'bootstrap clients are listed');
  });

  it('answers every bad request with a 4xx and a stable code, and writes nothing', async () => {
    await call('POST', '/clients', machine({ client_id: 'target' }));
    const big = JSON.stringify(machine({ client_id: 'big', client_name: 'x'.repeat(20_000) }));
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/clients', machine({ client_secret: 'mine-mine-mine-mine-mine-mine-mine' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ client_secret_expires_at: 5 }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ client_id: { $ne: 1 } }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ client_id: 'a b' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ client_id: 'x'.repeat(129) }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ client_name: { $ne: 1 } }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ $where: 'sleep(1000)' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ surprise: true }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ redirect_uris: 'https://a.example.com/cb' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ grant_types: ['password'] }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ token_endpoint_auth_method: 'tls_client_auth' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ first_party: 'yes' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ admin_scopes: ['everything'] }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', machine({ admin_scopes: 'users:read' }), 400, 'invalid_client_metadata'],
      ['POST', '/clients', [machine()], 400, 'invalid_request'],
      ['POST', '/clients', '"a string"', 400, 'invalid_request'],
      ['POST', '/clients', '{"client_id": "broken"', 400, 'invalid_request'],
      ['POST', '/clients', big, 413, 'request_too_large'],
      ['PATCH', '/clients/target', { client_secret: 'mine-mine-mine-mine-mine-mine-mine' }, 400, 'invalid_client_metadata'],
      ['PATCH', '/clients/target', { client_id: 'other' }, 400, 'invalid_client_metadata'],
      ['PATCH', '/clients/target', { grant_types: { $ne: 1 } }, 400, 'invalid_client_metadata'],
      ['PATCH', '/clients/target', { unknown_member: 1 }, 400, 'invalid_client_metadata'],
      ['PATCH', '/clients/target', [1, 2], 400, 'invalid_request'],
      ['PATCH', '/clients/target', big, 413, 'request_too_large'],
      ['PATCH', '/clients/nobody', { client_name: 'x' }, 404, 'client_not_found'],
      ['PATCH', `/clients/${encodeURIComponent('{"$ne":1}')}`, { client_name: 'x' }, 404, 'client_not_found'],
      ['GET', '/clients/nobody', undefined, 404, 'client_not_found'],
      ['GET', `/clients/${'x'.repeat(300)}`, undefined, 404, 'client_not_found'],
      ['DELETE', '/clients/nobody', undefined, 404, 'client_not_found'],
      ['DELETE', '/clients/target?purge=yes', undefined, 400, 'invalid_request'],
      ['DELETE', '/clients/target?purge=true&purge=true', undefined, 400, 'invalid_request'],
      ['DELETE', '/clients/target?force=1', undefined, 400, 'invalid_request'],
      ['POST', '/clients/nobody/secret', undefined, 404, 'client_not_found'],
      ['POST', '/clients/target/secret', { client_secret: 'mine-mine-mine-mine-mine-mine-mine' }, 400, 'invalid_request'],
      ['GET', '/clients?limit=0', undefined, 400, 'invalid_request'],
      ['GET', '/clients?limit=101', undefined, 400, 'invalid_request'],
      ['GET', '/clients?limit[$gt]=1', undefined, 400, 'invalid_request'],
      ['GET', '/clients?cursor=!!', undefined, 400, 'invalid_request'],
      ['GET', '/clients?cursor=AAAA_', undefined, 400, 'invalid_cursor'],
      ['GET', '/clients?q=x', undefined, 400, 'invalid_request'],
    ];
    const before = await snapshot();
    for (const [method, path, body, status, code] of cases) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, status, `${method} ${path} ${String(typeof body === 'string' ? body.slice(0, 60) : JSON.stringify(body)).slice(0, 80)}`);
      assert.equal(answer.body.error, code, `${method} ${path}`);
    }
    assert.equal(await snapshot(), before, 'nothing written');
  });

  it('audits every write with the changed field names and never a secret', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'audited', client_name: 'A' }));
    await call('PATCH', '/clients/audited', { client_name: 'B' });
    const rotated = await call('POST', '/clients/audited/secret');
    await call('DELETE', '/clients/audited');
    await server.portcullis.audit.flush();
    const events = (await server.portcullis.store.audit.list({ limit: 500 })).filter(
      (event) => event.type.startsWith('admin.clients.') && (event.detail?.target as Json | undefined)?.id === 'audited',
    );
    assert.deepEqual(events.map((event) => event.type).sort(), [
      'admin.clients.create',
      'admin.clients.delete',
      'admin.clients.secret_rotate',
      'admin.clients.update',
    ]);
    const update = events.find((event) => event.type === 'admin.clients.update');
    assert.deepEqual(update?.detail?.fields, ['client_name']);
    assert.deepEqual(update?.detail?.actor, { kind: 'operator', id: 'operator' });
    const trail = JSON.stringify(events);
    assert.equal(trail.includes(String(created.body.client_secret)), false);
    assert.equal(trail.includes(String(rotated.body.client_secret)), false);
  });

  it('a client whose admin_scopes lack users:write cannot create a client with admin_scopes users:write (a real client-credentials admin token)', async () => {
    const created = await call('POST', '/clients', machine({ client_id: 'real-deployer', admin_scopes: ['clients:read', 'clients:write'] }));
    assert.equal(created.status, 201);
    const issued = await clientCredentials('real-deployer', String(created.body.client_secret), {
      resource: `${server.url}/admin/v1`,
      scope: 'clients:read clients:write',
    });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const token = String(issued.body.access_token);
    const before = await snapshot();
    const refused = await call('POST', '/clients', machine({ client_id: 'escalated', admin_scopes: ['users:write'] }), token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'privilege_escalation');
    assert.equal(await snapshot(), before, 'nothing written');
    assert.equal((await call('POST', '/clients', machine({ client_id: 'allowed', admin_scopes: ['clients:read'] }), token)).status, 201);
  });

  it('refuses a client actor that grants admin_scopes it does not hold, or touches a stronger client', async () => {
    const actor = await call('POST', '/clients', machine({ client_id: 'deployer', admin_scopes: ['clients:read', 'clients:write'] }));
    assert.equal(actor.status, 201);
    const token = await clientAdminToken(server.portcullis, 'deployer', ['clients:read', 'clients:write']);
    assert.equal((await call('GET', '/clients/deployer', undefined, token)).status, 200, 'the token works');
    assert.equal((await call('POST', '/clients', machine({ client_id: 'strong', admin_scopes: ['users:write'] }))).status, 201);
    const before = await snapshot();
    const escalations: Array<[string, string, unknown, string]> = [
      ['POST', '/clients', machine({ client_id: 'sneaky', admin_scopes: ['users:write'] }), 'privilege_escalation'],
      ['PATCH', '/clients/deployer', { admin_scopes: ['clients:read', 'clients:write', 'roles:write'] }, 'privilege_escalation'],
      ['POST', '/clients/strong/secret', undefined, 'target_outranks_actor'],
      ['PATCH', '/clients/strong', { client_name: 'mine now' }, 'target_outranks_actor'],
      ['DELETE', '/clients/strong', undefined, 'target_outranks_actor'],
    ];
    for (const [method, path, body, code] of escalations) {
      const answer = await call(method, path, body, token);
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.equal(answer.body.error, code, `${method} ${path}`);
    }
    assert.equal(await snapshot(), before, 'nothing written');
    await server.portcullis.audit.flush();
    const refused = (await server.portcullis.store.audit.list({ type: 'admin.refused', limit: 100 })).filter(
      (event) => (event.detail?.actor as Json | undefined)?.id === 'deployer',
    );
    assert.equal(refused.length, escalations.length, 'each refusal audited');
    const within = await call('POST', '/clients', machine({ client_id: 'modest', admin_scopes: ['clients:read'] }), token);
    assert.equal(within.status, 201, 'granting what it holds is fine');
  });
});

describe('admin API: clients and the bootstrap file', () => {
  it('never re-creates a soft-deleted bootstrap client, and counts an API change as changed in the store', async () => {
    const log = captureLogger('warn');
    const file = structuredClone(DEFAULT_BOOTSTRAP) as { clients: Json[] };
    let server = await startServer({ env: { OPERATOR_TOKEN: TOKEN }, bootstrap: file, options: { logger: log.logger } });
    try {
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${server.url}/admin/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      assert.equal((await call('DELETE', '/clients/machine')).status, 204);
      assert.equal((await call('PATCH', '/clients/web-app', { client_name: 'Renamed by the API' })).status, 200);
      // The file changes the entry the API changed too: the API's change must win.
      const webApp = file.clients.find((client) => client.client_id === 'web-app') as Json;
      webApp.client_name = 'Renamed in the file';
      server = await server.restart();
      assert.equal(await server.portcullis.store.model('Client').find('machine'), undefined, 'not re-created');
      const kept = (await (await call('GET', '/clients/web-app')).json()) as Json;
      assert.equal(kept.client_name, 'Renamed by the API');
      const warned = log.warnings().map((line) => `${String(line.client_id)}: ${line.msg}`);
      assert.ok(
        warned.some((line) => line.startsWith('machine: bootstrap: client was deleted through the admin API')),
        warned.join('\n'),
      );
      assert.ok(
        warned.some((line) => line.startsWith('web-app: bootstrap: client changed in the store')),
        warned.join('\n'),
      );
    } finally {
      await server.close();
    }
  });
});
