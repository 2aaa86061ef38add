/**
 * The admin resource in every grant: a client without admin_scopes gets invalid_target in the code
 * flow, the device flow and at refresh; the CLI's device flow gives a person their admin token
 * only with a second factor; a third-party client that consent is asked for gets only what the
 * person's admin_roles permit; a refreshed token follows today's roles and client ceiling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { CLI_CLIENT_ID } from '../../src/oidc/internal-clients.ts';
import { adminResourceOf } from '../../src/rbac/scopes.ts';
import { ADMIN_BOOTSTRAP, CONSOLE } from '../support/admin.ts';
import { Browserless } from '../support/browserless.ts';
import { drive, enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { CALLBACK, discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const PARTNER = { client_id: 'partner-console', secret: 'partner-console-secret-that-is-long-enough' };

const BOOTSTRAP = {
  ...ADMIN_BOOTSTRAP,
  clients: [
    ...ADMIN_BOOTSTRAP.clients,
    {
      client_id: PARTNER.client_id,
      client_secret: PARTNER.secret,
      client_name: 'Partner Console',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code'],
      scope: 'openid',
      admin_scopes: ['users:read', 'users:write'],
    },
  ],
};

const field = (html: string, pattern: RegExp) => pattern.exec(html)?.[1] as string;

// oidc-provider's own device forms (as in test/oidc/device.test.ts).
function formFields(html: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const match of form.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields[match[1] as string] = match[2] as string;
  return fields;
}

function formAction(html: string, formId: string): string {
  return (
    new RegExp(`<form[^>]*id="${formId.replace('.', '\\.')}"[^>]*action="([^"]+)"`).exec(html)?.[1] ??
    (new RegExp(`<form[^>]*action="([^"]+)"[^>]*id="${formId.replace('.', '\\.')}"`).exec(html)?.[1] as string)
  );
}

describe('the admin resource in every grant', () => {
  const clock = new TestClock();
  let server: TestServer;
  let resource: string;
  let console_: oidc.Configuration;
  const secrets: Record<string, string> = {};

  before(async () => {
    server = await startServer({ bootstrap: BOOTSTRAP, options: { now: clock.now } });
    resource = adminResourceOf(server.url);
    console_ = await discover(server.url, CONSOLE.client_id, CONSOLE.secret);
    for (const name of ['hanna', 'ivan']) secrets[name] = (await enrolDirectly(server, name, clock)).secret;
  });
  after(() => server.close());

  const code = (username: string) => () => {
    clock.advance(30);
    return totpAt(secrets[username] as string, clock);
  };
  const redeem = (config: oidc.Configuration, callback: URL, start: Awaited<ReturnType<typeof startAuthorization>>) =>
    oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce }, { resource });

  it('code flow: a client without admin_scopes is sent back with invalid_target before anyone signs in', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const start = await startAuthorization(web, { scope: 'openid users:read', resource });
    const { url } = await new Browserless(server.url).follow(start.url.href);
    const callback = new URL(url);
    assert.equal(callback.origin + callback.pathname, CALLBACK);
    assert.equal(callback.searchParams.get('error'), 'invalid_target');
  });

  it('device flow: a client without admin_scopes gets invalid_target at the device authorization', async () => {
    const tv = await discover(server.url, 'tv');
    await assert.rejects(oidc.initiateDeviceAuthorization(tv, { scope: 'users:read', resource }), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'invalid_target');
      return true;
    });
  });

  /** The CLI's device flow: the person enters the code, signs in (with a code when asked) and confirms. */
  async function deviceSignIn(username: string, secondFactor: boolean) {
    const cli = await discover(server.url, CLI_CLIENT_ID);
    const device = await oidc.initiateDeviceAuthorization(cli, { scope: 'users:read users:write keys:read', resource });
    const browser = new Browserless(server.url);
    let html = await (await browser.follow(device.verification_uri)).response.text();
    const entered = await browser.postForm(formAction(html, 'op.deviceInputForm'), { ...formFields(html, 'op.deviceInputForm'), user_code: device.user_code });
    html = await entered.text();
    const confirmed = await browser.postForm(formAction(html, 'op.deviceConfirmForm'), formFields(html, 'op.deviceConfirmForm'));
    assert.equal(confirmed.status, 303, html.slice(0, 300));
    let page = await browser.follow(confirmed.headers.get('location') as string);
    const seen: string[] = [];
    for (let hops = 0; hops < 4; hops += 1) {
      html = await page.response.text();
      const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//);
      const csrf = field(html, /name="csrf" value="([^"]+)"/);
      if (!uid || !csrf) break;
      let posted: Response;
      if (html.includes('name="password"')) {
        seen.push('login');
        posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username, password: PASSWORD });
      } else if (html.includes(`/interaction/${uid}/mfa"`) && secondFactor) {
        seen.push('mfa');
        posted = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await code(username)() });
      } else break;
      page = await browser.follow(new URL(posted.headers.get('location') as string, server.url).href);
    }
    return { cli, device, seen, html };
  }

  it('device flow (the CLI): a person with a second factor gets an admin token within their admin_roles', async () => {
    const { cli, device, seen, html } = await deviceSignIn('hanna', true);
    assert.deepEqual(seen, ['login', 'mfa']);
    assert.match(html, /Device connected/);
    const tokens = await oidc.pollDeviceAuthorizationGrant(cli, device);
    assert.equal(tokens.scope, 'users:read', 'helpdesk holds users:read, not users:write or keys:read');
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, resource);
    assert.equal(typeof claims.auth_time, 'number');
    const answer = await fetch(`${server.url}/admin/v1/keys`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    assert.equal(answer.status, 403);
  });

  it('device flow (the CLI): a person without a second factor is refused, never led into enrolment', async () => {
    const { cli, device, seen, html } = await deviceSignIn('judy', false);
    assert.deepEqual(seen, ['login']);
    assert.doesNotMatch(html, /mfa\/enrol/);
    await assert.rejects(oidc.pollDeviceAuthorizationGrant(cli, device), (error: oidc.ResponseBodyError) => {
      assert.equal(error.error, 'unmet_authentication_requirements');
      return true;
    });
  });

  it('consent: a third-party client with admin_scopes gets only what the person’s admin_roles permit, and asks once', async () => {
    const partner = await discover(server.url, PARTNER.client_id, PARTNER.secret);
    const browser = new Browserless(server.url);
    for (const expected of [
      ['login', 'mfa', 'consent'],
      ['login', 'mfa'],
    ]) {
      const start = await startAuthorization(partner, { scope: 'openid users:read users:write', resource, prompt: 'login' });
      const result = await drive(browser, start.url.href, { username: 'hanna', password: PASSWORD, code: code('hanna') });
      assert.deepEqual(result.seen, expected);
      const tokens = await redeem(partner, result.callback, start);
      assert.equal(tokens.scope, 'users:read');
    }
  });

  it('refresh: the new token follows today’s admin_roles and keeps the original auth_time; without admin_scopes, invalid_target', async () => {
    const start = await startAuthorization(console_, { scope: 'openid offline_access users:read users:mfa', resource });
    const result = await drive(new Browserless(server.url), start.url.href, { username: 'hanna', password: PASSWORD, code: code('hanna') });
    const first = await redeem(console_, result.callback, start);
    assert.deepEqual(first.scope?.split(' ').sort(), ['users:mfa', 'users:read']);
    const authTime = decodeJwt(first.access_token).auth_time;

    const hanna = (await server.portcullis.accounts.findByUsername('hanna')) as { id: string };
    await server.portcullis.store.accounts.update(hanna.id, { adminRoles: ['auditor'] });
    const second = await oidc.refreshTokenGrant(console_, first.refresh_token as string, { resource });
    assert.equal(second.scope, 'users:read', 'auditor reads; users:mfa went with helpdesk');
    assert.equal(decodeJwt(second.access_token).auth_time, authTime);

    await server.portcullis.store.accounts.update(hanna.id, { adminRoles: ['helpdesk'] });
    const clients = server.portcullis.store.model('Client');
    const stored = (await clients.find(CONSOLE.client_id)) as Record<string, unknown>;
    const { admin_scopes: _dropped, ...withoutAdmin } = stored;
    await clients.upsert(CONSOLE.client_id, withoutAdmin);
    try {
      await assert.rejects(
        oidc.refreshTokenGrant(console_, second.refresh_token ?? (first.refresh_token as string), { resource }),
        (error: oidc.ResponseBodyError) => {
          assert.equal(error.error, 'invalid_target');
          return true;
        },
      );
    } finally {
      await clients.upsert(CONSOLE.client_id, stored);
    }
  });
});
