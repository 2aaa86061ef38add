/**
 * The operator endpoint and the `portcullis keys` commands: who may call them, what bad input
 * gets (a 4xx with a stable code, never a 500), and what an operator sees.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import { freePort, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-for-tests-0123456789abcdef';

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, COMMANDS, { config: () => loadConfig(env), out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('operator endpoint', () => {
  let server: TestServer;
  const call = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('accept', 'application/json');
    if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
    return fetch(`${server.url}/admin/v1/keys${path}`, { ...init, headers });
  };
  const json = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
  });
  after(() => server.close());

  it('refuses callers without the operator token', async () => {
    for (const token of [null, 'wrong-token-wrong-token-wrong-token']) {
      const response = await call('', { token });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="portcullis-admin"/);
      assert.equal(((await response.json()) as { error: string }).error, token ? 'invalid_token' : 'missing_token');
    }
    assert.equal((await call('/rotate', { ...json('{}'), token: null })).status, 401);
  });

  it('lists keys with states and dates, never private material', async () => {
    const response = await call('');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const text = await response.text();
    const { keys } = JSON.parse(text) as { keys: Array<Record<string, string>> };
    assert.deepEqual(keys.map((key) => [key.alg, key.state]).sort(), [
      ['ES256', 'current'],
      ['RS256', 'current'],
    ]);
    assert.doesNotMatch(text, /sealed|"d"|publicJwk/);
  });

  it('answers bad input with a 4xx and a stable code', async () => {
    const cases: Array<[string, RequestInit, number, string]> = [
      ['/rotate', json('{"alg":"HS256"}'), 400, 'invalid_request'],
      ['/rotate', json('{"immediate":"yes"}'), 400, 'invalid_request'],
      ['/rotate', json('{"alg":"ES256","extra":1}'), 400, 'invalid_request'],
      ['/rotate', json('{"alg":'), 400, 'invalid_request'],
      ['/rotate', json('{"alg":"EdDSA"}'), 400, 'unknown_algorithm'],
      ['/rotate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'rotate' }, 415, 'unsupported_media_type'],
      ['/no-such-kid/revoke', { method: 'POST' }, 404, 'key_not_found'],
      [`/${'k'.repeat(65)}/revoke`, { method: 'POST' }, 400, 'invalid_kid'],
      ['/a%24ne/revoke', { method: 'POST' }, 400, 'invalid_kid'],
    ];
    for (const [path, init, status, code] of cases) {
      const response = await call(path, init);
      assert.equal(response.status, status, `${path} ${String(init.body)}`);
      assert.equal(((await response.json()) as { error: string }).error, code, `${path} ${String(init.body)}`);
    }
  });

  it('revokes once; a second revocation is a 409', async () => {
    const { keys } = (await (await call('')).json()) as { keys: Array<{ kid: string; alg: string; state: string }> };
    const rs = keys.find((key) => key.alg === 'RS256' && key.state === 'current');
    assert.ok(rs);
    assert.equal((await call(`/${rs.kid}/revoke`, { method: 'POST' })).status, 200);
    const again = await call(`/${rs.kid}/revoke`, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { error: string }).error, 'key_already_revoked');
  });

  it('`keys list`, `keys rotate` print a table an operator can read', async () => {
    const env = { OPERATOR_TOKEN: TOKEN, OPERATOR_URL: server.url };
    const rotated = await cli(env, 'keys', 'rotate', '--alg', 'ES256');
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    const listed = await cli(env, 'keys', 'list');
    assert.equal(listed.code, 0);
    assert.match(listed.out[0] ?? '', /^KID\s+ALG\s+STATE\s+CREATED\s+SIGNS FROM\s+STOPPED\s+LEAVES JWKS$/);
    assert.ok(
      listed.out.some((line) => /\bES256\s+next\b/.test(line)),
      'the rotation published a next key',
    );
    assert.ok(listed.out.some((line) => /\bRS256\s+revoked\b/.test(line)));
  });

  it('the CLI entry point works as a separate process against the running server', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['src/cli/index.ts', 'keys', 'list', '--json'], {
      env: { PATH: process.env.PATH, OPERATOR_TOKEN: TOKEN, OPERATOR_URL: server.url },
    });
    const { keys } = JSON.parse(stdout) as { keys: Array<{ state: string }> };
    assert.ok(keys.some((key) => key.state === 'current'));
  });
});

describe('keys commands without a usable server', () => {
  it('are listed by help', async () => {
    const { out } = await cli({}, 'help');
    for (const name of ['keys list', 'keys rotate', 'keys revoke'])
      assert.ok(
        out.some((line) => line.includes(name)),
        name,
      );
  });

  it('reject malformed command lines with exit code 2', async () => {
    assert.equal((await cli({}, 'keys', 'list', '--bogus')).code, 2);
    assert.equal((await cli({}, 'keys', 'revoke')).code, 2);
    assert.equal((await cli({}, 'keys', 'revoke', '--json')).code, 2);
    assert.equal((await cli({}, 'keys', 'rotate', '--alg', 'HS256')).code, 2);
  });

  it('takes a kid that begins with a dash as a kid (base64url kids do, one in 64)', async () => {
    const unreachable = { OPERATOR_TOKEN: TOKEN, OPERATOR_URL: `http://127.0.0.1:${await freePort()}` };
    const result = await cli(unreachable, 'keys', 'revoke', '-Abc123_xyz-0AbC');
    assert.equal(result.code, 1, 'not a usage error: the command went on to call the server');
    assert.match(result.err.join('\n'), /cannot reach the server/);
  });

  it('explain a missing token, an unreachable server, and a server without the endpoint', async () => {
    const missing = await cli({}, 'keys', 'list');
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /OPERATOR_TOKEN is not set/);
    const unreachable = await cli({ OPERATOR_TOKEN: TOKEN, OPERATOR_URL: `http://127.0.0.1:${await freePort()}` }, 'keys', 'list');
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.err.join('\n'), /cannot reach the server .*ECONNREFUSED/);
    const server = await startServer();
    try {
      assert.equal((await fetch(`${server.url}/admin/v1/keys`)).status, 401, 'always mounted: no token, no entry');
      const off = await cli({ OPERATOR_TOKEN: TOKEN, OPERATOR_URL: server.url }, 'keys', 'list');
      assert.equal(off.code, 3, 'a refused credential has its own exit code');
      assert.match(off.err.join('\n'), /401 invalid_token/);
    } finally {
      await server.close();
    }
  });
});
