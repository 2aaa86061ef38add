/**
 * Connected apps, security activity and the data export through JSON and forms (no browser here;
 * apps.browser.test.ts drives the pages in Chromium): what the apps list shows and hides, last
 * used, revoking one app, the activity in words, "this wasn't me", the export without secrets,
 * and the refusals (CSRF, unknown client).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import { openConsole } from '../support/console.ts';
import { currentSession, device, FIREFOX_LINUX, IPHONE, listSessions } from '../support/devices.ts';
import { auditEvents, familyOf, invalidGrant, signIn } from '../support/families.ts';
import { enrolDirectly, TestClock } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const json = { headers: { accept: 'application/json' } };
const NEW_PASSWORD = 'a different passphrase entirely';

interface AppJson {
  client_id: string;
  name: string;
  scopes: string[];
  access: string[];
  resources: Array<{ identifier: string; name: string; scopes: string[] }>;
  since: string;
  last_used_at: string | null;
}

describe('connected apps, activity and your data', () => {
  let server: TestServer;
  let receiver: Receiver;
  let web: oidc.Configuration;
  let bcl: oidc.Configuration;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      bootstrap: { ...DEFAULT_BOOTSTRAP, clients: [...DEFAULT_BOOTSTRAP.clients, backchannelClient(receiver)] },
      options: { fetch: loopbackFetch },
    });
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    bcl = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  async function apps(browser: ReturnType<typeof device>, path = '/account/apps'): Promise<{ apps: AppJson[]; csrf: string }> {
    const response = await browser.request(path, json);
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { apps: AppJson[]; csrf_token: string };
    return { apps: body.apps, csrf: body.csrf_token };
  }

  async function newPerson(username: string) {
    await server.portcullis.accounts.create({ username, name: `${username} Example`, password: PASSWORD });
    return (await server.portcullis.accounts.findByUsername(username))?.id as string;
  }

  it('lists each app holding a grant, grouped by client, in plain words, and hides Portcullis’s own clients', async () => {
    await newPerson('dora');
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'dora', laptop);
    await signIn(server, web, 'dora', laptop, { scope: 'openid profile email offline_access read', resource: 'https://api.example.com' });
    await openConsole(laptop);
    const listed = await apps(laptop);
    assert.deepEqual(
      listed.apps.map((app) => app.client_id),
      ['web-app'],
      'one entry per client; the console itself is not listed',
    );
    const [app] = listed.apps as [AppJson];
    assert.equal(app.name, 'Web App');
    assert.deepEqual([...app.scopes].sort(), ['email', 'offline_access', 'openid', 'profile']);
    assert.ok(app.access.includes('Your email address'), app.access.join('; '));
    assert.ok(app.access.includes('Stay signed in when you are not using it'), app.access.join('; '));
    assert.deepEqual(app.resources, [{ identifier: 'https://api.example.com', name: 'api.example.com', scopes: ['read'] }]);
    assert.ok(Date.parse(app.since) <= Date.now());
    assert.ok(app.last_used_at && Date.parse(app.last_used_at) >= Date.parse(app.since));
    assert.deepEqual(await apps(laptop, '/account/api/apps'), listed, 'the alias answers the same');
    const page = await (await laptop.request('/account/apps')).text();
    assert.match(page, /Web App/);
    assert.doesNotMatch(page, /Your account|Portcullis CLI/);
  });

  it('moves last used when the app refreshes its tokens', async () => {
    await newPerson('eve');
    const laptop = device(server.url, FIREFOX_LINUX);
    const tokens = await signIn(server, web, 'eve', laptop);
    await openConsole(laptop);
    // Backdate the family by an hour, as if it had last been used then.
    const grantId = await familyOf(server, tokens.refresh_token);
    for (const model of ['AccessToken', 'RefreshToken']) {
      const store = server.portcullis.store.model(model);
      for (const record of await store.findByGrantId(grantId)) {
        await store.upsert(record.id, { ...record.payload, iat: (record.payload.iat as number) - 3600 }, 3600);
      }
    }
    const before = (await apps(laptop)).apps[0]?.last_used_at as string;
    await oidc.refreshTokenGrant(web, tokens.refresh_token as string);
    const after = (await apps(laptop)).apps[0]?.last_used_at as string;
    assert.ok(Date.parse(after) - Date.parse(before) >= 3_000_000, `${before} → ${after}`);
  });

  it('revokes an app: its refresh token fails, it gets a logout token, and it leaves the list', async () => {
    const id = await newPerson('fay');
    const phone = device(server.url, IPHONE);
    const bclTokens = await signIn(server, bcl, 'fay', phone);
    const phoneUid = (await currentSession(phone)).uid;
    const phoneRecord = (await server.portcullis.store.model('Session').findByUid(phoneUid)) as { authorizations: Record<string, { sid: string }> };
    const laptop = device(server.url, FIREFOX_LINUX);
    const webTokens = await signIn(server, web, 'fay', laptop);
    await openConsole(laptop);
    const { csrf } = await apps(laptop);

    const delivered = receiver.next();
    const revoked = await laptop.request('/account/apps/bcl-app', { method: 'DELETE', headers: { ...json.headers, 'x-csrf-token': csrf } });
    assert.equal(revoked.status, 200);
    assert.deepEqual(await revoked.json(), { revoked: 1 });
    const { payload } = await jwtVerify(await delivered, createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'bcl-app' });
    assert.equal(payload.sid, phoneRecord.authorizations['bcl-app']?.sid);
    await assert.rejects(oidc.refreshTokenGrant(bcl, bclTokens.refresh_token as string), invalidGrant);
    assert.equal((await oidc.tokenIntrospection(bcl, bclTokens.access_token)).active, false);
    assert.deepEqual(
      (await apps(laptop)).apps.map((app) => app.client_id),
      ['web-app'],
    );
    assert.ok(await oidc.refreshTokenGrant(web, webTokens.refresh_token as string), 'the other app keeps working');
    const phoneSession = (await listSessions(laptop)).sessions.find((session) => session.uid === phoneUid);
    assert.deepEqual(phoneSession?.applications, [], 'the session no longer counts as signed in to the app');
    const events = await auditEvents(server, 'account.app_revoked');
    assert.ok(events.some((event) => event.accountId === id && event.clientId === 'bcl-app'));
  });

  it('refuses to revoke an app the person has not connected (404, nothing changes) and without the CSRF token', async () => {
    await newPerson('gil');
    const laptop = device(server.url, FIREFOX_LINUX);
    const tokens = await signIn(server, web, 'gil', laptop);
    await openConsole(laptop);
    const { csrf, apps: before } = await apps(laptop);

    const unknown = await laptop.request('/account/apps/bcl-app', { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: string }).error, 'app_not_found');
    const internal = await laptop.request('/account/api/apps/portcullis-account', { method: 'DELETE', headers: { 'x-csrf-token': csrf } });
    assert.equal(internal.status, 404);
    const byForm = await laptop.postForm('/account/apps/revoke', { csrf, client_id: 'no-such-app' });
    assert.equal(byForm.status, 404);
    const badShape = await laptop.postForm('/account/apps/revoke', { csrf, client_id: 'web-app', extra: '1' });
    assert.equal(badShape.status, 400);

    const noToken = await laptop.request('/account/apps/web-app', { method: 'DELETE' });
    assert.equal(noToken.status, 403);
    assert.equal(((await noToken.json()) as { error: string }).error, 'csrf_failed');
    const noAliasToken = await laptop.request('/account/api/apps/web-app', { method: 'DELETE' });
    assert.equal(noAliasToken.status, 403);
    const noFormToken = await laptop.postForm('/account/apps/revoke', { client_id: 'web-app' });
    assert.equal(noFormToken.status, 403);

    assert.deepEqual((await apps(laptop)).apps, before);
    assert.ok(await oidc.refreshTokenGrant(web, tokens.refresh_token as string), 'still connected');
  });

  it('shows a failed sign-in and a password change in words, with device and address', async () => {
    await newPerson('hal');
    const phone = device(server.url, IPHONE);
    const start = await startAuthorization(web);
    await assert.rejects(phone.authorize(start.url.href, 'hal', 'not the password at all'), /401/);
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'hal', laptop);
    await openConsole(laptop);
    const form = await (await laptop.request('/account/password')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] as string;
    const changed = await laptop.postForm('/account/password', {
      csrf,
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    assert.equal(changed.status, 200);
    await server.portcullis.audit.flush();

    const response = await laptop.request('/account/activity', json);
    assert.equal(response.status, 200);
    const { events } = (await response.json()) as { events: Array<{ type: string; description: string; device: string | null; ip: string | null }> };
    const failed = events.find((event) => event.type === 'login.failed');
    assert.equal(failed?.description, 'Someone tried to sign in with a wrong password');
    assert.equal(failed?.device, 'Mobile Safari 17 on iOS 17.4 (Apple iPhone)');
    assert.equal(failed?.ip, '127.0.0.1');
    const signedIn = events.find((event) => event.type === 'login.success');
    assert.equal(signedIn?.device, 'Firefox 128 on Linux');
    assert.match(signedIn?.description ?? '', /^Signed in/);
    assert.equal(events.find((event) => event.type === 'password.changed')?.description, 'Your password was changed');
    assert.deepEqual((await (await laptop.request('/account/api/activity', json)).json()) as unknown, {
      events,
      csrf_token: ((await (await laptop.request('/account/activity', json)).json()) as { csrf_token: string }).csrf_token,
    });

    const page = await (await laptop.request('/account/activity')).text();
    assert.match(page, /Someone tried to sign in with a wrong password/);
    assert.match(page, /Your password was changed/);
    assert.match(page, /Mobile Safari 17 on iOS 17\.4/);
    assert.doesNotMatch(page, /login\.failed|"reason"|wrong_password/, 'no raw event dumps');
  });

  it('“this wasn’t me” ends every other session and every app’s grant, and refuses without the CSRF token', async () => {
    const id = await newPerson('ivy');
    const phone = device(server.url, IPHONE);
    const phoneTokens = await signIn(server, bcl, 'ivy', phone);
    await openConsole(phone);
    const laptop = device(server.url, FIREFOX_LINUX);
    const laptopTokens = await signIn(server, web, 'ivy', laptop);
    await openConsole(laptop);
    const page = await (await laptop.request('/account/activity')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;

    const refused = await laptop.postForm('/account/activity/not-me', { csrf: '' });
    assert.equal(refused.status, 403);
    assert.equal((await listSessions(laptop)).sessions.length, 2, 'nothing ended');

    const delivered = receiver.next();
    const posted = await laptop.postForm('/account/activity/not-me', { csrf });
    assert.equal(posted.status, 200);
    const html = await posted.text();
    assert.match(html, /href="\/account\/password"/);
    assert.match(html, /1 other session/);
    await delivered;
    assert.equal((await phone.request('/account/api/sessions', json)).status, 401);
    await assert.rejects(oidc.refreshTokenGrant(bcl, phoneTokens.refresh_token as string), invalidGrant);
    await assert.rejects(oidc.refreshTokenGrant(web, laptopTokens.refresh_token as string), invalidGrant, 'the apps of this browser too');
    assert.deepEqual(
      (await listSessions(laptop)).sessions.map((session) => session.current),
      [true],
      'this browser stays signed in to the console, to change the password',
    );
    assert.deepEqual((await apps(laptop)).apps, []);
    const events = await auditEvents(server, 'account.not_me');
    assert.ok(events.some((event) => event.accountId === id && event.detail?.sessionsEnded === 1));
  });

  it('exports the person’s data with every section and no secret', async () => {
    const id = await newPerson('jon');
    const laptop = device(server.url, FIREFOX_LINUX);
    await signIn(server, web, 'jon', laptop);
    await openConsole(laptop);
    // Two-step verification on, so the export has factors whose secrets it must leave out.
    // The server runs on the system clock; a code from a clock started now is within its ±1 step.
    const { secret, backupCodes } = await enrolDirectly(server, 'jon', new TestClock());
    const download = await laptop.request('/account/data?download=1');
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="portcullis-data.json"');
    assert.match(download.headers.get('content-type') ?? '', /^application\/json/);
    const text = await download.text();
    const data = JSON.parse(text) as Record<string, unknown>;
    for (const section of ['profile', 'factors', 'sessions', 'apps', 'activity']) assert.ok(section in data, `the export has ${section}`);
    const profile = data.profile as Record<string, unknown>;
    assert.equal(profile.username, 'jon');
    assert.equal((data.apps as AppJson[])[0]?.client_id, 'web-app');
    assert.ok((data.sessions as unknown[]).length >= 1);
    assert.ok((data.activity as Array<{ type: string }>).some((event) => event.type === 'login.success'));

    const account = await server.portcullis.store.accounts.findById(id);
    const factors = await server.portcullis.store.mfa.listByAccount(id);
    assert.doesNotMatch(text, /passwordHash|password_hash|argon2|sealedSecret|codeHashes|boundTo/);
    assert.ok(!text.includes(account?.passwordHash as string));
    assert.ok(!text.includes(secret));
    for (const code of backupCodes) assert.ok(!text.includes(code));
    const exported = data.factors as Array<{ type: string; confirmed_at: string | null; backup_codes_left?: number }>;
    assert.equal(exported.find((factor) => factor.type === 'totp')?.confirmed_at !== null, true);
    assert.equal(exported.find((factor) => factor.type === 'backup_codes')?.backup_codes_left, backupCodes.length);
    for (const factor of factors) {
      if (factor.sealedSecret) assert.ok(!text.includes(factor.sealedSecret));
      for (const hash of factor.codeHashes ?? []) assert.ok(!text.includes(hash));
    }
    const asJson = await laptop.request('/account/data', json);
    assert.equal(asJson.headers.get('content-disposition'), null);
    assert.deepEqual(Object.keys((await asJson.json()) as object).sort(), Object.keys(data).sort());
  });
});
