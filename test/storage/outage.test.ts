/**
 * When the store cannot be reached, requests fail fast with 503 temporarily_unavailable (never
 * a 500), /readyz says so, and service resumes by itself when the store is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { ModelStore, Store } from '../../src/storage/port.ts';
import { Browserless } from '../support/browserless.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

/** Wraps a store so every call fails the way the MongoDB driver fails during an outage. */
function flaky(store: Store, isDown: () => boolean): Store {
  const fail = () => {
    const error = new Error('connection refused');
    error.name = 'MongoNetworkError';
    return error;
  };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        // No revisions (storage/port.ts), as on MongoDB: every read goes to the store that is down.
        if (property === 'revision') return undefined;
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (isDown() ? Promise.reject(fail()) : value.apply(object, args));
      },
    });
  const models = new Map<string, ModelStore>();
  return {
    ...store,
    kind: store.kind,
    model(name) {
      let model = models.get(name);
      if (!model) {
        model = wrap(store.model(name));
        models.set(name, model);
      }
      return model;
    },
    accounts: wrap(store.accounts),
    ping: () => (isDown() ? Promise.reject(fail()) : store.ping()),
    close: () => store.close(),
  };
}

describe('store outage', () => {
  let server: TestServer;
  let down = false;
  let cleanup: () => Promise<void>;

  before(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const store = flaky(await createEmbeddedStore(dir.path), () => down);
    server = await startServer({ options: { store } });
  });
  after(async () => {
    await server.close();
    await server.portcullis.store.close();
    await cleanup();
  });

  it('answers 503 during the outage and recovers by itself', async () => {
    const machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web);
    const browser = new Browserless(server.url);
    const { url: loginUrl } = await browser.follow(start.url.href);

    down = true;
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'machine',
        client_secret: 'machine-secret-that-is-long-enough',
        resource: 'https://opaque.example.com',
        scope: 'read',
      }).toString(),
    });
    assert.equal(token.status, 503);
    assert.equal(((await token.json()) as { error: string }).error, 'temporarily_unavailable');
    const page = await browser.request(loginUrl, { headers: { accept: 'application/json' } });
    assert.equal(page.status, 503);
    assert.equal(((await page.json()) as { error: string }).error, 'temporarily_unavailable');

    down = false;
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    const issued = await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: 'https://opaque.example.com' });
    assert.ok(issued.access_token);
    assert.equal((await browser.request(loginUrl, { headers: { accept: 'application/json' } })).status, 200);
  });
});
