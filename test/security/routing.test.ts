/**
 * A mounted router answers exactly what @koa/router would (its routes, then 405 for a method it
 * does not serve) and hands every other path straight on.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { mountRouter, ROUTER_OPTIONS } from '../../src/security/routing.ts';

test('a mounted router serves its routes and 405s, and passes every other path on untouched', async () => {
  const router = new Router({ prefix: '/things', ...ROUTER_OPTIONS });
  router.get('/:id', (ctx) => {
    ctx.body = { id: ctx.params.id };
  });
  const app = new Koa();
  let reachedNext = 0;
  app.use(mountRouter(router));
  // Like the provider behind our routers: it answers other paths, and leaves ours unanswered (404).
  app.use((ctx) => {
    reachedNext += 1;
    if (!ctx.path.startsWith('/things')) ctx.body = { fallthrough: ctx.path };
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await (await fetch(`${base}/things/7`)).json(), { id: '7' });
    const wrongMethod = await fetch(`${base}/things/7`, { method: 'POST' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(reachedNext, 1, 'only the method the router does not serve went on, and came back as 405');
    assert.deepEqual(await (await fetch(`${base}/THINGS/7`)).json(), { fallthrough: '/THINGS/7' }, 'matching stays case-sensitive');
    assert.deepEqual(await (await fetch(`${base}/other`)).json(), { fallthrough: '/other' });
    assert.equal(reachedNext, 3);
    assert.equal((mountRouter(router) as unknown as { router: unknown }).router, router, 'names its router like @koa/router does');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a router of fixed paths runs only for those paths: its "/" does not take in every request', async () => {
  const router = new Router(ROUTER_OPTIONS);
  router.get('/', (ctx) => {
    ctx.body = { root: true };
  });
  router.get('/exact', (ctx) => {
    ctx.body = { exact: true };
  });
  let routerRuns = 0;
  const app = new Koa();
  app.use(async (ctx, next) => {
    await next();
    if (ctx.matched !== undefined) routerRuns += 1;
  });
  app.use(mountRouter(router));
  // Like the provider behind our routers: our paths it leaves unanswered.
  app.use((ctx) => {
    if (ctx.path !== '/exact') ctx.body = { fallthrough: ctx.path };
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await (await fetch(`${base}/`)).json(), { root: true });
    assert.deepEqual(await (await fetch(`${base}/exact`)).json(), { exact: true });
    assert.deepEqual(await (await fetch(`${base}/exact/`)).json(), { exact: true }, 'a trailing slash names the same route');
    assert.equal(routerRuns, 3);
    assert.deepEqual(await (await fetch(`${base}/token`)).json(), { fallthrough: '/token' });
    assert.deepEqual(await (await fetch(`${base}/exactly`)).json(), { fallthrough: '/exactly' });
    assert.equal((await fetch(`${base}/exact`, { method: 'POST' })).status, 405, 'a method it does not serve is still its 405');
    assert.equal(routerRuns, 4, 'the router never looked at /token or /exactly');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
