/**
 * The admin API's one home: keys and lockout under /admin/v1 behind OPERATOR_TOKEN, the old
 * /operator/keys and /admin/lockout gone, and the lockout status an operator reads before
 * unlocking someone (also through `portcullis lockout status`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openLoginForm } from '../support/login-form.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

describe('admin API: one prefix, one credential', () => {
  let server: TestServer;
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', ...init.headers } });
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { PORT: String(new URL(server.url).port), OPERATOR_TOKEN: TOKEN };
    const code = await runCli(argv, COMMANDS, { config: () => loadConfig(env), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN, LOCKOUT_USER_IP_FREE_FAILURES: '1', LOCKOUT_BACKOFF_BASE: '1m' } });
  });
  after(() => server.close());

  it('no longer serves the old operator paths, even with the token', async () => {
    assert.equal((await admin('/operator/keys')).status, 404);
    const old = await admin('/admin/lockout/unlock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"alice"}' });
    assert.equal(old.status, 404);
    assert.equal((await admin('/admin/v1/keys')).status, 200);
  });

  it('answers no other spelling of an admin route without the token: case variants and trailing slashes', async () => {
    const variants: Array<[string, string]> = [
      ['GET', '/ADMIN/v1/keys'],
      ['GET', '/Admin/V1/Keys'],
      ['GET', '/admin/V1/keys'],
      ['GET', '/ADMIN/v1/keys/'],
      ['GET', '/admin/v1/keys/'],
      ['POST', '/ADMIN/v1/keys/rotate'],
      ['POST', '/ADMIN/v1/lockout/lock'],
      ['GET', '/admin/v1/LOCKOUT?username=alice'],
    ];
    for (const [method, path] of variants) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{"username":"alice"}' } : {}),
      });
      assert.ok([401, 404].includes(response.status), `${method} ${path} answered ${response.status} without a token`);
    }
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('alice', PASSWORD)).status, 303, 'nobody locked alice on the way');
  });

  it('guards keys and lockout with the same check and the same error', async () => {
    for (const path of ['/admin/v1/keys', '/admin/v1/lockout?username=alice']) {
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: 'Bearer wrong-wrong-wrong-wrong-wrong-wrong', accept: 'application/json' },
      });
      assert.equal(response.status, 401, path);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_token', path);
    }
  });

  it('shows a throttled username and address, and nothing once unlocked', async () => {
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('bob', 'wrong')).status, 401);
    assert.equal((await form.attempt('bob', 'wrong')).status, 401);
    const response = await admin('/admin/v1/lockout?username=bob&ip=127.0.0.1');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const status = (await response.json()) as {
      username: string;
      locked: Record<string, boolean>;
      dimensions: Array<{ dimension: string; failures: number; allowed: boolean; retry_after: number }>;
    };
    assert.equal(status.username, 'bob');
    assert.deepEqual(status.locked, { username: false, ip: false });
    const pair = status.dimensions.find((entry) => entry.dimension === 'login.user_ip');
    assert.ok(pair, JSON.stringify(status));
    assert.equal(pair.failures, 2);
    assert.equal(pair.allowed, false);
    assert.ok(pair.retry_after > 0 && pair.retry_after <= 60);

    const shown = await cli('lockout', 'status', '--user', 'bob', '--ip', '127.0.0.1');
    assert.equal(shown.code, 0, shown.err.join('\n'));
    assert.equal((JSON.parse(shown.out.join('\n')) as typeof status).dimensions.length, status.dimensions.length);

    assert.equal((await cli('lockout', 'unlock-user', 'bob')).code, 0);
    const after = (await (await admin('/admin/v1/lockout?username=bob&ip=127.0.0.1')).json()) as typeof status;
    assert.deepEqual(
      after.dimensions.filter((entry) => entry.dimension.startsWith('login.user')),
      [],
    );
  });

  it('answers bad status queries with 400 invalid_request', async () => {
    for (const query of ['', '?ip=not-an-ip', '?username=a&username=b', '?person=x', `?username=${'u'.repeat(300)}`]) {
      const response = await admin(`/admin/v1/lockout${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(((await response.json()) as { error: string }).error, 'invalid_request', query);
    }
    assert.equal((await cli('lockout', 'status')).code, 2);
  });
});
