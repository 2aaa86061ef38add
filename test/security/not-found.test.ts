/**
 * The root and unknown addresses: `/` sends a person to their account; a path nothing serves
 * answers 404 with the styled error page (the layout, its stylesheet, the code) for browsers and
 * `{"error":"not_found"}` for JSON callers — under /account as everywhere else, never the bare
 * plain-text "Not Found".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../support/server.ts';

describe('the root and unknown paths', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('/ redirects to /account with 302', async () => {
    const answer = await fetch(`${server.url}/`, { redirect: 'manual' });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), '/account');
  });

  for (const path of ['/nope', '/account/nope', '/account/mfa/nope', '/assets/nope.css']) {
    it(`${path} is a styled 404 page for browsers and JSON for JSON callers`, async () => {
      const page = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      assert.equal(page.status, 404);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      const html = await page.text();
      assert.match(html, /<link[^>]+portcullis\.css/, 'the layout with its stylesheet');
      assert.match(html, /Not found/);
      assert.match(html, /not_found/);
      const data = await fetch(`${server.url}${path}`, { headers: { accept: 'application/json' }, redirect: 'manual' });
      assert.equal(data.status, 404);
      assert.equal(((await data.json()) as { error: string }).error, 'not_found');
    });
  }

  it('the provider’s own routes still answer', async () => {
    assert.equal((await fetch(`${server.url}/.well-known/openid-configuration`)).status, 200);
    assert.equal((await fetch(`${server.url}/jwks`)).status, 200);
  });
});
