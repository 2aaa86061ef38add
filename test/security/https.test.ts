/**
 * An https issuer behind a TLS-terminating proxy: requests that did not arrive over https (no
 * trusted X-Forwarded-Proto: https) are refused before anything sets a cookie, and every cookie
 * that is set is Secure; the CSRF cookie carries the __Host- prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { openConsole } from '../support/console.ts';
import { redeem, startAuthorization } from '../support/rp.ts';
import { freePort, PASSWORD, startServer, type TestServer } from '../support/server.ts';
import { discoverThroughProxy, ProxiedBrowser } from '../support/tls-proxy.ts';

const OPERATOR_TOKEN = 'o'.repeat(40);

/** A server whose issuer is https://127.0.0.1:<port>, listening on plain http on that port. */
async function httpsIssuer(trustProxy: string): Promise<{ server: TestServer; publicOrigin: string }> {
  const port = await freePort();
  const publicOrigin = `https://127.0.0.1:${port}`;
  const server = await startServer({ port, env: { ISSUER: publicOrigin, TRUST_PROXY: trustProxy, OPERATOR_TOKEN } });
  return { server, publicOrigin };
}

async function expectHttpsRequired(response: Response, json: boolean): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, 400, text.slice(0, 300));
  assert.deepEqual(response.headers.getSetCookie(), [], 'no cookie is set over plain http');
  if (json) assert.equal((JSON.parse(text) as { error: string }).error, 'https_required');
  else assert.match(text, /https_required/);
}

describe('https issuer behind a trusted proxy', () => {
  let server: TestServer;
  let publicOrigin: string;
  let authPath: string;
  before(async () => {
    ({ server, publicOrigin } = await httpsIssuer('127.0.0.1'));
    const web = await discoverThroughProxy(publicOrigin, server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web);
    authPath = `${start.url.pathname}${start.url.search}`;
  });
  after(() => server.close());

  it('a plain-http request gets 400 https_required, as a page or as JSON, and sets no cookie', async () => {
    await expectHttpsRequired(await fetch(`${server.url}${authPath}`, { redirect: 'manual' }), false);
    await expectHttpsRequired(await fetch(`${server.url}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } }), true);
    await expectHttpsRequired(await fetch(`${server.url}${authPath}`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'http' } }), false);
  });

  it('answers load-balancer probes over plain http', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  });

  it('answers the operator CLI on a direct loopback connection, not when a proxy says the request was plain http', async () => {
    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' };
    assert.equal((await fetch(`${server.url}/admin/v1/keys`, { headers })).status, 200);
    await expectHttpsRequired(await fetch(`${server.url}/admin/v1/keys`, { headers: { ...headers, 'x-forwarded-proto': 'http' } }), true);
  });

  it('a trusted-proxy request with X-Forwarded-Proto https gets cookies with Secure, and the CSRF cookie is __Host-', async () => {
    const browser = new ProxiedBrowser(publicOrigin, server.url);
    const setCookies: string[] = [];
    const record = browser.request.bind(browser);
    browser.request = async (url, init) => {
      const response = await record(url, init);
      setCookies.push(...response.headers.getSetCookie());
      return response;
    };
    const web = await discoverThroughProxy(publicOrigin, server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web);
    const callback = await browser.authorize(start.url.href, 'alice', PASSWORD);
    const tokens = await redeem(web, callback, start);
    assert.ok(tokens.access_token, 'the sign-in completed through the proxy');

    const names = setCookies.map((cookie) => cookie.slice(0, cookie.indexOf('=')));
    for (const expected of ['_interaction', '_interaction_resume', '_session', '__Host-portcullis-csrf']) {
      assert.ok(names.includes(expected), `${expected} was set`);
    }
    for (const cookie of setCookies) assert.match(cookie, /;\s*secure/i, cookie);
    const csrf = setCookies.find((cookie) => cookie.startsWith('__Host-portcullis-csrf='));
    assert.match(csrf ?? '', /;\s*path=\/(;|$)/i);
    assert.doesNotMatch(csrf ?? '', /domain=/i);
    assert.ok(!names.includes('portcullis.csrf'), 'no unprefixed CSRF cookie on an https issuer');

    await openConsole(browser);
    const account = await browser.request('/account/api/sessions', { headers: { accept: 'application/json' } });
    assert.equal(account.status, 200, 'the account pages work through the proxy');
    const { csrf_token: token } = (await account.json()) as { csrf_token: string };
    const ended = await browser.request('/account/api/sessions', { method: 'DELETE', headers: { 'x-csrf-token': token } });
    assert.equal(ended.status, 200, 'the __Host- CSRF cookie comes back and the token passes');
    await oidc.fetchUserInfo(web, tokens.access_token, oidc.skipSubjectCheck);
  });
});

describe('https issuer, request from a peer that is not a trusted proxy', () => {
  let server: TestServer;
  before(async () => {
    ({ server } = await httpsIssuer('10.0.0.1'));
  });
  after(() => server.close());

  it('does not believe its X-Forwarded-Proto: https', async () => {
    await expectHttpsRequired(
      await fetch(`${server.url}/.well-known/openid-configuration`, { headers: { 'x-forwarded-proto': 'https', accept: 'application/json' } }),
      true,
    );
  });

  it('still answers the operator CLI on loopback', async () => {
    const response = await fetch(`${server.url}/admin/v1/keys`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/json' } });
    assert.equal(response.status, 200);
  });
});
