/**
 * /admin/v1/users over HTTP with the operator token: the create-read-update-delete round trip,
 * search and pagination, what disabling, deleting and erasing a person ends, and the last-admin
 * rule. Who else may do what is in users-policy.test.ts; hostile input in users-bad-input.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { backchannelClient, loopbackFetch, type Receiver, startReceiver } from '../support/backchannel.ts';
import { auditEvents, invalidGrant, signIn } from '../support/families.ts';
import { openLoginForm } from '../support/login-form.ts';
import { discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

describe('admin API: users', () => {
  let server: TestServer;
  let receiver: Receiver;
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    return fetch(`${server.url}/admin/v1${path}`, {
      ...rest,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      headers: {
        authorization: `Bearer ${TOKEN}`,
        accept: 'application/json',
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...rest.headers,
      },
    });
  };
  const create = async (body: Record<string, unknown>) => {
    const response = await api('/users', { method: 'POST', json: { password: PASSWORD, ...body } });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as Record<string, unknown> & { id: string };
  };
  const signInFails = async (username: string, password = PASSWORD) => {
    const form = await openLoginForm(server.url);
    const response = await form.attempt(username, password, { json: true });
    return { status: response.status, body: await response.json() };
  };

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      env: { OPERATOR_TOKEN: TOKEN },
      bootstrap: { ...DEFAULT_BOOTSTRAP, clients: [...DEFAULT_BOOTSTRAP.clients, backchannelClient(receiver)] },
      options: { fetch: loopbackFetch },
    });
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it('creates, reads, updates with merge-patch semantics and never shows a hash', async () => {
    const made = await create({ username: 'Round.Trip', email: 'Round@Example.com', name: 'Round Trip', roles: ['staff'], must_change: true });
    assert.equal(made.username, 'round.trip');
    assert.equal(made.email, 'round@example.com');
    assert.equal(made.email_verified, true, 'an address an administrator enters counts as verified unless they say otherwise');
    assert.equal(made.must_change_password, true);
    assert.deepEqual(made.admin_roles, []);
    assert.deepEqual(made.mfa, { totp: false, backup_codes: false, passkeys: 0 });
    assert.equal(made.disabled, false);
    assert.doesNotMatch(JSON.stringify(made), /argon2|password_hash|passwordHash/);

    const read = await (await api(`/users/${made.id}`)).json();
    assert.deepEqual(read, made);

    const patched = await api(`/users/${made.id}`, { method: 'PATCH', json: { name: null, email_verified: true, roles: ['staff', 'ops'] } });
    assert.equal(patched.status, 200);
    const view = await patched.json();
    assert.equal(view.name, null);
    assert.equal(view.email, 'round@example.com');
    assert.equal(view.email_verified, true);
    assert.deepEqual(view.roles, ['staff', 'ops']);

    const [event] = (await auditEvents(server, 'admin.users.update')).filter((entry) => entry.accountId === made.id);
    assert.deepEqual(event?.detail?.fields, ['email_verified', 'name', 'roles']);
    assert.deepEqual(event?.detail?.target, { kind: 'user', id: made.id });
    assert.deepEqual(event?.detail?.actor, { kind: 'operator', id: 'operator' });

    const taken = await api('/users', { method: 'POST', json: { username: 'round.trip', password: PASSWORD } });
    assert.equal(taken.status, 409);
    assert.equal((await taken.json()).error, 'username_taken');
    const email = await api('/users', { method: 'POST', json: { username: 'other-round', email: 'round@example.com', password: PASSWORD } });
    assert.equal((await email.json()).error, 'email_taken');
  });

  it('signs in with a password the admin set, and a password_hash is stored as given', async () => {
    const person = await create({ username: 'set-pass' });
    const hash = await server.portcullis.accounts.findById(person.id).then((account) => account?.passwordHash);
    const reset = await api(`/users/${person.id}/password`, { method: 'POST', json: { password: 'a brand new passphrase', must_change: true } });
    assert.equal(reset.status, 204);
    const after = await server.portcullis.accounts.findById(person.id);
    assert.notEqual(after?.passwordHash, hash);
    assert.equal(after?.mustChangePassword, true);
    assert.equal((await server.portcullis.accounts.authenticate('set-pass', 'a brand new passphrase')).ok, true);
    const [event] = (await auditEvents(server, 'admin.users.password')).filter((entry) => entry.accountId === person.id);
    assert.deepEqual(event?.detail?.fields, ['must_change', 'password']);
    assert.doesNotMatch(JSON.stringify(event), /brand new/);

    const phc = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA';
    assert.equal((await api(`/users/${person.id}/password`, { method: 'POST', json: { password_hash: phc } })).status, 204);
    const stored = await server.portcullis.accounts.findById(person.id);
    assert.equal(stored?.passwordHash, phc);
    assert.equal(stored?.mustChangePassword, undefined);
  });

  it('lists by username, filters by q, role, admin role and disabled, and pages with a cursor until next_cursor is null', async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'])
      await create({ username: name, email: `${name}@list.example`, roles: name === 'page-c' ? ['tagged'] : [] });
    const helper = await create({ username: 'page-f', admin_roles: ['helpdesk'] });
    await api(`/users/${helper.id}`, { method: 'PATCH', json: { disabled: true } });

    const names = (body: { items: Array<{ username: string }> }) => body.items.map((item) => item.username);
    const first = await (await api('/users?q=page-&limit=2')).json();
    assert.deepEqual(names(first), ['page-a', 'page-b']);
    assert.equal(typeof first.next_cursor, 'string');
    const second = await (await api(`/users?q=page-&limit=2&cursor=${first.next_cursor}`)).json();
    assert.deepEqual(names(second), ['page-c', 'page-d']);
    const third = await (await api(`/users?q=page-&limit=2&cursor=${second.next_cursor}`)).json();
    assert.deepEqual(names(third), ['page-e', 'page-f']);
    assert.equal(third.next_cursor, null);

    assert.deepEqual(names(await (await api('/users?q=PAGE-B@LIST')).json()), ['page-b']);
    assert.deepEqual(names(await (await api('/users?role=tagged')).json()), ['page-c']);
    assert.deepEqual(names(await (await api('/users?admin_role=helpdesk')).json()), ['page-f']);
    assert.deepEqual(names(await (await api('/users?q=page-&disabled=true')).json()), ['page-f']);
    assert.equal(names(await (await api('/users?q=page-&disabled=false')).json()).length, 5);
    // A regular expression in q is literal text.
    assert.deepEqual(names(await (await api('/users?q=page-.*')).json()), []);
  });

  it('disabling a person ends their sessions with back-channel logout, refuses their refresh token, and they fail sign-in like a wrong password', async () => {
    const person = await create({ username: 'leaver', email: 'leaver@example.com' });
    const rp = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
    const tokens = await signIn(server, rp, 'leaver');
    assert.ok(tokens.refresh_token);
    const sessions = await (await api(`/users/${person.id}/sessions`)).json();
    assert.equal(sessions.items.length, 1);
    assert.deepEqual(sessions.items[0].clients, ['bcl-app']);
    assert.equal(sessions.next_cursor, null);

    const disabled = await api(`/users/${person.id}`, { method: 'PATCH', json: { disabled: true } });
    assert.equal((await disabled.json()).disabled, true);
    const logout = decodeJwt(await receiver.next());
    assert.equal(logout.sub, person.id);
    assert.equal(logout.aud, 'bcl-app');
    assert.equal((await (await api(`/users/${person.id}/sessions`)).json()).items.length, 0);
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token), invalidGrant);

    const wrong = await signInFails('leaver', 'not the password at all');
    const refused = await signInFails('leaver');
    assert.equal(refused.status, wrong.status);
    assert.deepEqual(refused.body, wrong.body);

    const enabled = await api(`/users/${person.id}`, { method: 'PATCH', json: { disabled: false } });
    assert.equal((await enabled.json()).disabled, false);
  });

  it('ending sessions over the API sends back-channel logout and revokes the refresh token', async () => {
    const person = await create({ username: 'ended' });
    const rp = await discover(server.url, 'bcl-app', 'bcl-app-secret-that-is-long-enough');
    const tokens = await signIn(server, rp, 'ended');
    assert.equal((await api(`/users/${person.id}/sessions`, { method: 'DELETE' })).status, 204);
    assert.equal(decodeJwt(await receiver.next()).sub, person.id);
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token as string), invalidGrant);
  });

  it('soft delete hides the person, refuses sign-in like a wrong password, and keeps the username reserved', async () => {
    const person = await create({ username: 'soft-gone', email: 'soft@example.com' });
    const wrong = await signInFails('soft-gone', 'not the password at all');
    assert.equal((await api(`/users/${person.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await api(`/users/${person.id}`)).status, 404);
    assert.deepEqual((await (await api('/users?q=soft-gone')).json()).items, []);
    const refused = await signInFails('soft-gone');
    assert.deepEqual(refused, wrong);
    const again = await api('/users', { method: 'POST', json: { username: 'soft-gone', password: PASSWORD } });
    assert.equal(again.status, 409);
    assert.equal((await again.json()).error, 'username_taken');
    // Still there for the audit trail.
    assert.ok((await server.portcullis.store.accounts.findById(person.id))?.deletedAt);
  });

  it('purge erases the record, the factors and the personal fields of the audit trail, and frees the username', async () => {
    const person = await create({ username: 'erase-me', email: 'erase@example.com', name: 'Erase Me' });
    await server.portcullis.store.mfa.insert({ id: 'erase-factor', accountId: person.id, type: 'totp', sealedSecret: 'x', createdAt: new Date() });
    server.portcullis.audit.emit({ type: 'test.personal', accountId: person.id, detail: { username: 'erase-me', email: 'erase@example.com', reason: 'kept' } });
    // Mail still queued for the person, and a live reset link: both hold the address.
    const at = new Date(Date.now() + 3_600_000);
    await server.portcullis.store.outbox.insert({
      id: 'erase-mail',
      to: 'erase@example.com',
      template: 'password-set',
      data: {},
      attempts: 0,
      nextAttemptAt: at,
      createdAt: new Date(),
      accountId: person.id,
    });
    await server.portcullis.store.model('PasswordReset').upsert('erase-link', { accountId: person.id, email: 'erase@example.com' }, 600);
    await api(`/users/${person.id}`, { method: 'DELETE' });
    const purge = await api(`/users/${person.id}?purge=true`, { method: 'DELETE' });
    assert.equal(purge.status, 204);
    assert.equal(await server.portcullis.store.accounts.findById(person.id), undefined);
    assert.deepEqual(await server.portcullis.store.mfa.listByAccount(person.id), []);
    assert.equal(
      (await server.portcullis.store.outbox.list()).some((row) => row.accountId === person.id),
      false,
      'queued mail about the person is gone',
    );
    assert.deepEqual(await server.portcullis.store.model('PasswordReset').findByAccountId(person.id), []);
    await server.portcullis.audit.flush();
    const trail = await server.portcullis.store.audit.list({ accountId: person.id, limit: 1000 });
    assert.ok(trail.some((event) => event.type === 'admin.users.purge'));
    assert.doesNotMatch(JSON.stringify(trail), /erase-me|erase@example\.com|Erase Me/);
    assert.deepEqual(trail.find((event) => event.type === 'test.personal')?.detail, { reason: 'kept' });
    assert.ok(await server.portcullis.store.records.get('account-tombstone', person.id));
    assert.equal((await api(`/users/${person.id}`)).status, 404);
    const reborn = await create({ username: 'erase-me', email: 'erase@example.com' });
    assert.notEqual(reborn.id, person.id);
  });

  it('unlock clears a hard lock of the person', async () => {
    const person = await create({ username: 'locked-out' });
    await server.portcullis.lockout.lock('username', 'locked-out');
    assert.equal(await server.portcullis.lockout.locked('username', 'locked-out'), true);
    assert.equal((await api(`/users/${person.id}/unlock`, { method: 'POST' })).status, 204);
    assert.equal(await server.portcullis.lockout.locked('username', 'locked-out'), false);
    assert.equal((await auditEvents(server, 'admin.users.unlock')).filter((event) => event.accountId === person.id).length, 1);
  });

  it('the last enabled admin cannot be demoted, disabled or deleted; with a second admin they can', async () => {
    // No earlier test makes an admin, and the bootstrap file names none: this one is the only one.
    assert.deepEqual((await (await api('/users?admin_role=admin')).json()).items, []);
    const only = await create({ username: 'only-admin', admin_roles: ['admin'] });
    for (const [method, path, json] of [
      ['PATCH', `/users/${only.id}`, { admin_roles: ['helpdesk'] }],
      ['PATCH', `/users/${only.id}`, { disabled: true }],
      ['DELETE', `/users/${only.id}`, undefined],
      ['DELETE', `/users/${only.id}?purge=true`, undefined],
    ] as const) {
      const response = await api(path, { method, ...(json ? { json } : {}) });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal((await response.json()).error, 'last_admin');
    }
    assert.deepEqual((await (await api(`/users/${only.id}`)).json()).admin_roles, ['admin']);
    assert.ok((await auditEvents(server, 'admin.refused')).some((event) => event.detail?.error === 'last_admin' && event.accountId === only.id));

    await create({ username: 'second-admin', admin_roles: ['admin'] });
    const demoted = await api(`/users/${only.id}`, { method: 'PATCH', json: { admin_roles: ['helpdesk'] } });
    assert.equal(demoted.status, 200);
  });

  it('refuses an invitation without an email, or with a password, and creates no one', async () => {
    const noEmail = await api('/users', { method: 'POST', json: { username: 'invited', invite: true } });
    assert.equal(noEmail.status, 400);
    assert.equal((await noEmail.json()).error, 'invite_needs_email');
    const withPassword = await api('/users', { method: 'POST', json: { username: 'invited', email: 'invited@example.com', invite: true, password: PASSWORD } });
    assert.equal(withPassword.status, 400);
    assert.equal((await withPassword.json()).error, 'invite_with_password');
    assert.equal((await api('/users?q=invited')).status, 200);
    assert.deepEqual((await (await api('/users?q=invited')).json()).items, []);
  });
});
