/**
 * What the people, client, role and resource commands send, checked against a stand-in for the
 * admin API that records each request (the routes themselves are tested in test/admin): the
 * method, the path, the JSON body, the password taken from a stdin pipe and never from argv, and
 * a table for people or --json for scripts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

const ALICE = {
  id: 'acc-1',
  username: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice',
  roles: ['user'],
  admin_roles: ['admin'],
  disabled: false,
  must_change_password: false,
  mfa: { totp: true, backup_codes: true },
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  password_changed_at: '2026-01-01T00:00:00.000Z',
};

describe('CLI requests to the admin API', () => {
  let server: Server;
  let url: string;
  let seen: Seen[] = [];

  before(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          body: text ? JSON.parse(text) : undefined,
        });
        const path = new URL(request.url ?? '/', 'http://x').pathname;
        const send = (status: number, body?: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(body === undefined ? undefined : JSON.stringify(body));
        };
        if (request.method === 'GET' && path === '/admin/v1/users') return send(200, { items: [ALICE], next_cursor: null });
        if (request.method === 'POST' && path === '/admin/v1/users') return send(201, { ...ALICE, ...(JSON.parse(text) as object), password: undefined });
        if (request.method === 'POST' && path === '/admin/v1/clients')
          return send(201, { client_id: 'new-app', client_secret: 'generated-secret-shown-once', client_secret_expires_at: 0 });
        if (path === '/admin/v1/users/acc-1/mfa')
          return send(403, { error: 'target_outranks_actor', error_description: 'that person holds permissions you do not' });
        if (request.method === 'DELETE' || path.endsWith('/password')) return send(204);
        return send(200, ALICE);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = [];
  });

  const cli = async (argv: string[], secret?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, {
      config: () => loadConfig({ OPERATOR_URL: url, OPERATOR_TOKEN: TOKEN }),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      readSecret: async () => secret ?? '',
    });
    return { code, out, err };
  };

  it('users add, as a child process, reads the password from a stdin pipe and sends it in the body, never on argv', async () => {
    const child = spawn(
      process.execPath,
      ['src/cli/index.ts', 'users', 'add', 'carol', '--email', 'carol@example.com', '--admin-role', 'admin', '--role', 'user'],
      {
        env: { PATH: process.env.PATH ?? '', OPERATOR_URL: url, OPERATOR_TOKEN: TOKEN },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stdin.end('a piped password for carol\n');
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0);
    const post = seen.find((request) => request.method === 'POST');
    assert.deepEqual(post?.body, {
      username: 'carol',
      email: 'carol@example.com',
      roles: ['user'],
      admin_roles: ['admin'],
      password: 'a piped password for carol',
    });
    assert.equal(post?.authorization, `Bearer ${TOKEN}`);
    assert.match(stdout, /^created carol \(id acc-1\), admin roles: admin/);
  });

  it('users list prints a table; --json prints the body', async () => {
    const table = await cli(['users', 'list', '--admin-role', 'admin', '--disabled']);
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out[0] ?? '', /^ID\s+USERNAME\s+EMAIL\s+NAME\s+ROLES\s+ADMIN ROLES\s+STATUS\s+MFA$/);
    assert.match(table.out[1] ?? '', /^acc-1\s+alice\s+alice@example\.com\s+Alice\s+user\s+admin\s+active\s+totp,backup-codes$/);
    assert.equal(seen[0]?.url, '/admin/v1/users?admin_role=admin&disabled=true&limit=100');
    const json = await cli(['users', 'list', '--json']);
    assert.deepEqual(JSON.parse(json.out.join('\n')), { items: [ALICE], next_cursor: null });
  });

  it('a person is named by username: the id is looked up, the API is called with it', async () => {
    assert.equal((await cli(['users', 'disable', 'alice'])).code, 0);
    assert.deepEqual(
      seen.map((request) => [request.method, request.url, request.body]),
      [
        ['GET', '/admin/v1/users?q=alice&limit=100', undefined],
        ['PATCH', '/admin/v1/users/acc-1', { disabled: true }],
      ],
    );
  });

  it('users update sends an RFC 7396 merge patch: null removes, lists replace', async () => {
    assert.equal((await cli(['users', 'update', 'alice', '--no-email', '--name', 'Alice B', '--admin-role', 'helpdesk', '--no-roles'])).code, 0);
    assert.deepEqual(seen[1]?.body, { email: null, name: 'Alice B', roles: [], admin_roles: ['helpdesk'] });
  });

  it('set-password sends the prompted password and must_change; purge needs --yes', async () => {
    assert.equal((await cli(['users', 'set-password', 'alice', '--must-change'], 'typed at the prompt')).code, 0);
    assert.deepEqual(seen[1], {
      method: 'POST',
      url: '/admin/v1/users/acc-1/password',
      authorization: `Bearer ${TOKEN}`,
      body: { password: 'typed at the prompt', must_change: true },
    });
    seen = [];
    assert.equal((await cli(['users', 'delete', 'alice', '--purge', '--yes'])).code, 0);
    assert.equal(seen[1]?.url, '/admin/v1/users/acc-1?purge=true');
  });

  it('a refusal by the anti-escalation policy is exit 3 with its code and description', async () => {
    const result = await cli(['users', 'reset-mfa', 'alice']);
    assert.equal(result.code, 3);
    assert.match(result.err.join('\n'), /403 target_outranks_actor: that person holds permissions you do not/);
  });

  it('clients add sends the metadata and prints the generated secret once', async () => {
    const result = await cli([
      'clients',
      'add',
      '--id',
      'new-app',
      '--redirect-uri',
      'https://app.example.com/cb',
      '--grant-type',
      'authorization_code',
      '--first-party',
    ]);
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.deepEqual(seen[0]?.body, {
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['authorization_code'],
      first_party: true,
      client_id: 'new-app',
    });
    assert.ok(result.out.includes('client_secret: generated-secret-shown-once'));
  });

  it('roles and resources: ids in the path are encoded, bodies as the contract says', async () => {
    assert.equal((await cli(['roles', 'add', 'support', '--description', 'first line', '--permission', 'users:read', '--permission', 'users:mfa'])).code, 0);
    assert.deepEqual(seen[0]?.body, { name: 'support', description: 'first line', permissions: ['users:read', 'users:mfa'] });
    assert.equal((await cli(['resources', 'update', 'https://api.example.com', '--ttl', '600', '--scope', 'read'])).code, 0);
    assert.deepEqual(
      [seen[1]?.method, seen[1]?.url, seen[1]?.body],
      ['PATCH', '/admin/v1/resources/https%3A%2F%2Fapi.example.com', { scopes: ['read'], accessTokenTTL: 600 }],
    );
  });
});
