/**
 * The resources (APIs) resource of /admin/v1 over HTTP: resource servers created, changed and
 * deleted while the server runs, seen by every instance's token endpoint (Redis signal, or the
 * store poll without Redis); the admin API's own resource is read-only.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { Store } from '../../src/storage/port.ts';
import { REDIS_SKIP, startRedis, type TestRedis } from '../support/redis.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const SECRETS = { COOKIE_KEYS: randomBytes(32).toString('base64url'), KEY_ENCRYPTION_KEYS: randomBytes(32).toString('base64url') };

interface Json {
  [key: string]: unknown;
}

async function call(server: TestServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
}

/** A client-credentials token request by the bootstrap's `machine` client. */
async function tokenFor(server: TestServer, resource: string, scope = 'read') {
  const response = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'machine',
      client_secret: 'machine-secret-that-is-long-enough',
      resource,
      scope,
    }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const id = (identifier: string) => encodeURIComponent(identifier);

async function eventually(what: string, check: () => Promise<boolean>, deadlineMs = 5000): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > deadlineMs) assert.fail(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('admin API: resources', () => {
  let server: TestServer;
  const snapshot = async () =>
    JSON.stringify([await server.portcullis.store.records.list('resource'), await server.portcullis.store.records.list('resource-api')]);

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
  });
  after(() => server.close());

  it('creates a resource that the token endpoint serves at once, updates it and deletes it', async () => {
    const identifier = 'https://reports.example.com/api';
    assert.equal((await tokenFor(server, identifier)).body.error, 'invalid_target');
    const created = await call(server, 'POST', '/resources', { identifier, scopes: ['read', 'export'], accessTokenFormat: 'opaque' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      identifier,
      scopes: ['read', 'export'],
      accessTokenFormat: 'opaque',
      signingAlg: 'ES256',
      introspectors: [],
      built_in: false,
    });
    assert.equal((await tokenFor(server, identifier, 'export')).status, 200);
    assert.deepEqual((await call(server, 'GET', `/resources/${id(identifier)}`)).body, created.body);

    const patched = await call(server, 'PATCH', `/resources/${id(identifier)}`, { scopes: ['read'], accessTokenTTL: 120 });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.scopes, ['read']);
    assert.equal(patched.body.accessTokenTTL, 120);
    const narrowed = await tokenFor(server, identifier, 'read export');
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.body.scope, 'read', 'a removed scope is no longer granted');
    assert.equal(narrowed.body.expires_in, 120);
    const unset = await call(server, 'PATCH', `/resources/${id(identifier)}`, { accessTokenTTL: null });
    assert.equal('accessTokenTTL' in unset.body, false, 'null removes the member');

    assert.equal((await call(server, 'DELETE', `/resources/${id(identifier)}`)).status, 204);
    assert.equal((await tokenFor(server, identifier)).body.error, 'invalid_target');
    assert.equal((await call(server, 'GET', `/resources/${id(identifier)}`)).body.error, 'resource_not_found');
  });

  it('lists the admin resource read-only beside the others, and pages through them', async () => {
    const admin = `${server.url}/admin/v1`;
    for (const n of [1, 2, 3]) await call(server, 'POST', '/resources', { identifier: `https://paged-${n}.example.com` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Json } = await call(server, 'GET', `/resources?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(page.body.items as Json[]).map((resource) => String(resource.identifier)));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(new Set(seen).size, seen.length);
    for (const expected of [admin, 'https://api.example.com', 'https://paged-1.example.com', 'https://paged-3.example.com'])
      assert.ok(seen.includes(expected), expected);
    const builtIn = await call(server, 'GET', `/resources/${id(admin)}`);
    assert.equal(builtIn.status, 200);
    assert.equal(builtIn.body.built_in, true);
    assert.ok((builtIn.body.scopes as string[]).includes('users:write'));

    const before = await snapshot();
    for (const [method, body, status, code] of [
      ['PATCH', { scopes: [] }, 403, 'builtin_resource'],
      ['DELETE', undefined, 403, 'builtin_resource'],
    ] as const) {
      const answer = await call(server, method, `/resources/${id(admin)}`, body);
      assert.equal(answer.status, status, method);
      assert.equal(answer.body.error, code, method);
    }
    const shadow = await call(server, 'POST', '/resources', { identifier: admin, scopes: ['everything'] });
    assert.equal(shadow.status, 409);
    assert.equal(shadow.body.error, 'resource_exists');
    const respelled = admin.replace('http://', 'HTTP://');
    assert.equal((await call(server, 'POST', '/resources', { identifier: respelled })).status, 409, 'another spelling of the admin API');
    assert.equal(await snapshot(), before);
  });

  it('answers every bad request with a 4xx and a stable code, and writes nothing', async () => {
    await call(server, 'POST', '/resources', { identifier: 'https://stable.example.com', scopes: ['read'] });
    const stable = id('https://stable.example.com');
    const big = JSON.stringify({ identifier: 'https://big.example.com', scopes: Array.from({ length: 2000 }, (_, n) => `scope-${n}`) });
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/resources', { identifier: 'not a url' }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: { $ne: 1 } }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', scopes: 'read' }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', scopes: ['has space'] }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', scopes: [{ $gt: '' }] }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', accessTokenFormat: 'paseto' }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', accessTokenTTL: 86401 }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', accessTokenTTL: '60' }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', signingAlg: 'none' }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: 'https://x.example.com', owner: 'me' }, 400, 'invalid_request'],
      ['POST', '/resources', { identifier: `https://x.example.com/${'a'.repeat(3000)}` }, 400, 'invalid_request'],
      ['POST', '/resources', [], 400, 'invalid_request'],
      ['POST', '/resources', '{"identifier"', 400, 'invalid_request'],
      ['POST', '/resources', big, 413, 'request_too_large'],
      ['POST', '/resources', { identifier: 'https://stable.example.com' }, 409, 'resource_exists'],
      ['PATCH', `/resources/${stable}`, { identifier: 'https://moved.example.com' }, 400, 'invalid_request'],
      ['PATCH', `/resources/${stable}`, { scopes: { $set: ['x'] } }, 400, 'invalid_request'],
      ['PATCH', `/resources/${stable}`, { extra: true }, 400, 'invalid_request'],
      ['PATCH', `/resources/${stable}`, { scopes: null, signingAlg: 'HS256' }, 400, 'invalid_request'],
      ['PATCH', `/resources/${stable}`, 'null', 400, 'invalid_request'],
      ['PATCH', `/resources/${stable}`, big, 413, 'request_too_large'],
      ['PATCH', `/resources/${id('https://nowhere.example.com')}`, { scopes: [] }, 404, 'resource_not_found'],
      ['GET', `/resources/${id('{"$ne":1}')}`, undefined, 404, 'resource_not_found'],
      ['GET', '/resources/%E0%A4%A', undefined, 404, 'resource_not_found'],
      ['DELETE', `/resources/${id('https://nowhere.example.com')}`, undefined, 404, 'resource_not_found'],
      ['GET', '/resources?limit=-1', undefined, 400, 'invalid_request'],
      ['GET', '/resources?cursor=AAAA_', undefined, 400, 'invalid_cursor'],
      ['GET', '/resources?identifier=x', undefined, 400, 'invalid_request'],
    ];
    const before = await snapshot();
    for (const [method, path, body, status, code] of cases) {
      const answer = await call(server, method, path, body);
      assert.equal(
        answer.status,
        status,
        `${method} ${path.slice(0, 60)} ${typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body)?.slice(0, 80)}`,
      );
      assert.equal(answer.body.error, code, `${method} ${path.slice(0, 60)}`);
    }
    assert.equal(await snapshot(), before, 'nothing written');
  });

  it('audits resource writes with the changed field names', async () => {
    const identifier = 'https://audited.example.com';
    await call(server, 'POST', '/resources', { identifier, scopes: ['a'] });
    await call(server, 'PATCH', `/resources/${id(identifier)}`, { scopes: ['a', 'b'], signingAlg: 'ES256' });
    await call(server, 'DELETE', `/resources/${id(identifier)}`);
    await server.portcullis.audit.flush();
    const events = (await server.portcullis.store.audit.list({ limit: 500 })).filter(
      (event) => event.type.startsWith('admin.resources.') && (event.detail?.target as Json | undefined)?.id === identifier,
    );
    assert.deepEqual(events.map((event) => event.type).sort(), ['admin.resources.create', 'admin.resources.delete', 'admin.resources.update']);
    assert.deepEqual(events.find((event) => event.type === 'admin.resources.update')?.detail?.fields, ['scopes']);
  });

  it('keeps resources created through the API when the bootstrap file is applied again', async () => {
    const identifier = 'https://survivor.example.com';
    await call(server, 'POST', '/resources', { identifier });
    server = await server.restart();
    assert.equal((await call(server, 'GET', `/resources/${id(identifier)}`)).status, 200);
    assert.equal((await tokenFor(server, identifier, '')).status, 200);
  });
});

async function sharedStore(): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const dir = await tempDir();
  const store = await createEmbeddedStore(dir.path);
  return {
    store,
    async cleanup() {
      await store.close();
      await dir.cleanup();
    },
  };
}

describe('two instances sharing one store and Redis: a resource created on one is served by the other', { skip: REDIS_SKIP }, () => {
  let redis: TestRedis;
  let shared: Awaited<ReturnType<typeof sharedStore>>;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    redis = await startRedis();
    shared = await sharedStore();
    // A poll of one hour: within this test only the Redis signal can carry the change.
    const env = { ...SECRETS, OPERATOR_TOKEN: TOKEN, REDIS_URL: redis.url, KEY_SYNC_INTERVAL: '1h' };
    a = await startServer({ env, options: { store: shared.store } });
    b = await startServer({ env, options: { store: shared.store } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await shared?.cleanup();
    await redis?.stop();
  });

  it('B issues tokens for a resource A created, and stops when A deletes it', async () => {
    const identifier = 'https://signalled.example.com';
    assert.equal((await tokenFor(b, identifier)).body.error, 'invalid_target');
    assert.equal((await call(a, 'POST', '/resources', { identifier, scopes: ['read'] })).status, 201);
    // Watched in B's registry rather than by token requests, which the token-endpoint budget would throttle.
    await eventually('B reads the new resource', async () => b.portcullis.resources.get(identifier) !== undefined);
    assert.equal((await tokenFor(b, identifier)).status, 200);
    assert.equal((await call(a, 'DELETE', `/resources/${id(identifier)}`)).status, 204);
    await eventually('B forgets the deleted resource', async () => b.portcullis.resources.get(identifier) === undefined);
    assert.equal((await tokenFor(b, identifier)).body.error, 'invalid_target');
  });
});

describe('two instances without Redis: the store poll carries resource changes', () => {
  let shared: Awaited<ReturnType<typeof sharedStore>>;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    shared = await sharedStore();
    const env = { ...SECRETS, OPERATOR_TOKEN: TOKEN, KEY_SYNC_INTERVAL: '1s' };
    a = await startServer({ env, options: { store: shared.store } });
    b = await startServer({ env, options: { store: shared.store } });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await shared?.cleanup();
  });

  it('B serves a resource A created within KEY_SYNC_INTERVAL', async () => {
    const identifier = 'https://polled.example.com';
    assert.equal((await call(a, 'POST', '/resources', { identifier, scopes: ['read'] })).status, 201);
    // Watched in B's registry rather than by token requests, which the token-endpoint budget would throttle.
    await eventually('B reads the new resource', async () => b.portcullis.resources.get(identifier) !== undefined);
    assert.equal((await tokenFor(b, identifier)).status, 200);
  });
});
