/**
 * The bad-input matrix over every /admin/v1/users route: operator objects where strings belong,
 * wrong types, unknown fields, oversized bodies and bogus ids each get a 4xx with a stable code,
 * and nothing is written: the accounts, factors and admin audit trail are the same afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const HUGE = 'x'.repeat(17 * 1024);

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  status: number;
  error: string;
}

const json = (value: unknown) => JSON.stringify(value);

function cases(id: string): Case[] {
  const base = { username: 'matrix-new', password: PASSWORD };
  const post = (name: string, body: unknown, status = 400, error = 'invalid_request'): Case => ({
    name,
    method: 'POST',
    path: '/users',
    body: json(body),
    status,
    error,
  });
  const patch = (name: string, body: unknown, status = 400, error = 'invalid_request'): Case => ({
    name,
    method: 'PATCH',
    path: `/users/${id}`,
    body: json(body),
    status,
    error,
  });
  const password = (name: string, body: unknown): Case => ({
    name,
    method: 'POST',
    path: `/users/${id}/password`,
    body: json(body),
    status: 400,
    error: 'invalid_request',
  });
  const get = (name: string, query: string): Case => ({ name, method: 'GET', path: `/users?${query}`, status: 400, error: 'invalid_request' });
  const bogusIds = ['%24ne', 'a'.repeat(200), '%7B%22%24ne%22%3A1%7D', 'with%20space', '%00', 'no-such-id'];
  const perRoute = (suffix: string, method: string, body?: string) =>
    bogusIds.map((bogus) => ({
      name: `${method} /users/${bogus.slice(0, 20)}${suffix}`,
      method,
      path: `/users/${bogus}${suffix}`,
      ...(body ? { body } : {}),
      status: 404,
      error: 'user_not_found',
    }));
  return [
    post('username as an operator object', { ...base, username: { $ne: 1 } }),
    post('username as an array', { ...base, username: ['matrix-new'] }),
    post('email as an operator object', { ...base, email: { $gt: '' } }),
    post('password as a number', { ...base, password: 12345678 }),
    post('admin role as an operator object', { ...base, admin_roles: [{ $ne: 1 }] }),
    post('roles as a string', { ...base, roles: 'staff' }),
    post('unknown field', { ...base, is_admin: true }),
    post('id chosen by the caller', { ...base, id: 'mine' }),
    post('password and password_hash both', { ...base, password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA' }),
    post('a password hash that is not argon2id', { username: 'matrix-new', password_hash: '$2b$10$abcdefghijklmnopqrstuv' }),
    post('neither password nor hash', { username: 'matrix-new' }, 400, 'password_required'),
    post('an admin role that does not exist', { ...base, admin_roles: ['wizard'] }, 400, 'unknown_role'),
    post('must_change as a string', { ...base, must_change: 'true' }),
    post('a body that is an array', [base]),
    { name: 'a body that is not JSON', method: 'POST', path: '/users', body: '{"username":', status: 400, error: 'invalid_request' },
    {
      name: 'an operator in a form field',
      method: 'POST',
      path: '/users',
      body: 'username[$ne]=1&password=x',
      contentType: 'application/x-www-form-urlencoded',
      status: 400,
      error: 'invalid_request',
    },
    { name: 'an oversized create body', method: 'POST', path: '/users', body: json({ ...base, name: HUGE }), status: 413, error: 'request_too_large' },
    get('q as an operator', 'q[$ne]=1'),
    get('q repeated', 'q=a&q=b'),
    get('limit above 100', 'limit=1000'),
    get('limit not a number', 'limit=ten'),
    get('disabled not a boolean', 'disabled=yes'),
    get('a cursor we did not give out', 'cursor=%2B%2B%2B'),
    get('an unknown parameter', 'sort=password'),
    patch('disabled as a string', { disabled: 'true' }),
    patch('email as an operator object', { email: { $ne: 1 } }),
    patch('username is not patchable', { username: 'renamed' }),
    patch('roles as null', { roles: null }),
    patch('admin_roles as a string', { admin_roles: 'admin' }),
    patch('an unknown field', { status: 'active' }),
    patch('an admin role that does not exist', { admin_roles: ['wizard'] }, 400, 'unknown_role'),
    { name: 'an oversized patch body', method: 'PATCH', path: `/users/${id}`, body: json({ name: HUGE }), status: 413, error: 'request_too_large' },
    { name: 'purge=yes', method: 'DELETE', path: `/users/${id}?purge=yes`, status: 400, error: 'invalid_request' },
    { name: 'purge=1', method: 'DELETE', path: `/users/${id}?purge=1`, status: 400, error: 'invalid_request' },
    { name: 'purge repeated', method: 'DELETE', path: `/users/${id}?purge=true&purge=true`, status: 400, error: 'invalid_request' },
    { name: 'an unknown delete parameter', method: 'DELETE', path: `/users/${id}?hard=true`, status: 400, error: 'invalid_request' },
    password('password as an operator object', { password: { $ne: 1 } }),
    password('neither password nor hash', {}),
    // Issue 14: the password policy answers a short password, with every violation.
    { ...password('a password too short', { password: 'short' }), error: 'password_policy' },
    password('a hash that is not argon2id', { password_hash: 'plaintext' }),
    password('an unknown field', { password: PASSWORD, notify: false }),
    {
      name: 'an oversized password body',
      method: 'POST',
      path: `/users/${id}/password`,
      body: json({ password: HUGE }),
      status: 413,
      error: 'request_too_large',
    },
    ...perRoute('', 'GET'),
    ...perRoute('', 'PATCH', json({ name: 'x' })),
    ...perRoute('', 'DELETE'),
    ...perRoute('/password', 'POST', json({ password: PASSWORD })),
    ...perRoute('/mfa', 'DELETE'),
    ...perRoute('/sessions', 'GET'),
    ...perRoute('/sessions', 'DELETE'),
    ...perRoute('/unlock', 'POST'),
  ];
}

describe('admin API: users refuse bad input and write nothing', () => {
  let server: TestServer;
  let id: string;

  const snapshot = async () => {
    await server.portcullis.audit.flush();
    const accounts = await server.portcullis.store.accounts.list();
    const factors = await Promise.all(accounts.map((account) => server.portcullis.store.mfa.listByAccount(account.id)));
    const writes = (await server.portcullis.store.audit.list({ limit: 10_000 })).filter((event) => event.type.startsWith('admin.users.'));
    return JSON.stringify({ accounts, factors, writes: writes.length });
  };

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
    const response = await fetch(`${server.url}/admin/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: json({ username: 'matrix-target', email: 'matrix@example.com', password: PASSWORD }),
    });
    id = ((await response.json()) as { id: string }).id;
  });
  after(() => server.close());

  it('answers every case with its 4xx and stable code, and the store is unchanged', async () => {
    const before = await snapshot();
    for (const entry of cases(id)) {
      const response = await fetch(`${server.url}/admin/v1${entry.path}`, {
        method: entry.method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          accept: 'application/json',
          ...(entry.body !== undefined ? { 'content-type': entry.contentType ?? 'application/json' } : {}),
        },
        ...(entry.body !== undefined ? { body: entry.body } : {}),
      });
      const text = await response.text();
      assert.equal(response.status, entry.status, `${entry.name}: ${text}`);
      assert.equal((JSON.parse(text) as { error: string }).error, entry.error, entry.name);
      assert.doesNotMatch(text, /at .*\.ts:\d+/, `${entry.name} leaks a stack`);
    }
    assert.equal(await snapshot(), before);
  });
});
