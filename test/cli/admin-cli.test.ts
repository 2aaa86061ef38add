/**
 * The CLI end to end against a running server: the credential it finds (the generated dev token
 * beside the server, --token-file, OPERATOR_TOKEN), the exit codes an operator's script can tell
 * apart (2 usage, 3 refused, 1 other), --json, secrets never taken from argv, and hash-password
 * (in-process and as a child process with the password really on a pipe).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import argon2 from 'argon2';
import { hashParameters, isArgon2idHash } from '../../src/accounts/hashing.ts';
import { COMMANDS } from '../../src/cli/commands.ts';
import { type CliContext, runCli } from '../../src/cli/run.ts';
import { writeCachedToken } from '../../src/cli/token-cache.ts';
import { loadConfig } from '../../src/config/index.ts';
import { adminResourceOf } from '../../src/rbac/scopes.ts';
import { ADMIN_BOOTSTRAP, OPS } from '../support/admin.ts';
import { freePort, startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function cli(env: Record<string, string>, argv: string[], secret?: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    config: () => loadConfig({ ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', ...env }),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readSecret: async () => {
      if (secret === undefined) throw new Error('the command asked for a secret it should not need');
      return secret;
    },
  };
  return { code: await runCli(argv, COMMANDS, context), out, err };
}

/** Runs `node src/cli/index.ts …` with `stdin` written to a real pipe. */
function spawnCli(env: Record<string, string>, argv: string[], stdin: string): Promise<Run> {
  const child = spawn(process.execPath, ['src/cli/index.ts', ...argv], {
    env: { PATH: process.env.PATH ?? '', ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code: code ?? -1, out: stdout.split('\n').filter(Boolean), err: stderr.split('\n').filter(Boolean) })),
  );
}

describe('the CLI against a running server', () => {
  let server: TestServer;
  let beside: Record<string, string>;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP });
    // The CLI run beside the server: same DATA_DIR, no OPERATOR_TOKEN.
    beside = { OPERATOR_URL: server.url, DATA_DIR: server.dataDir };
  });
  after(async () => {
    await server.close();
    for (const cleanup of cleanups) await cleanup();
  });

  async function tokenFile(content: string): Promise<string> {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'token');
    await writeFile(file, `${content}\n`);
    await chmod(file, 0o600);
    return file;
  }

  async function robotToken(scope: string): Promise<string> {
    const answer = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: OPS.client_id,
        client_secret: OPS.secret,
        scope,
        resource: adminResourceOf(server.url),
      }),
    });
    const body = (await answer.json()) as { access_token?: string };
    assert.ok(body.access_token, JSON.stringify(body));
    return body.access_token;
  }

  it('beside a development server it finds the generated token in DATA_DIR/dev-secrets.json, audited as the operator', async () => {
    const rotated = await cli(beside, ['keys', 'rotate', '--alg', 'ES256']);
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    const listed = await cli(beside, ['keys', 'list']);
    assert.equal(listed.code, 0, listed.err.join('\n'));
    assert.match(listed.out[0] ?? '', /^KID\s+ALG\s+STATE/);
    await server.portcullis.audit.flush();
    const [event] = await server.portcullis.store.audit.list({ type: 'admin.keys.rotate' });
    assert.deepEqual(event?.detail?.actor, { kind: 'operator', id: 'operator' });
  });

  it('without OPERATOR_TOKEN, a dev-secrets file or a login it says where a credential comes from (exit 1, nothing sent)', async () => {
    const empty = await tempDir();
    cleanups.push(empty.cleanup);
    const result = await cli({ OPERATOR_URL: server.url, DATA_DIR: empty.path }, ['keys', 'list']);
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /no admin credential: OPERATOR_TOKEN is not set; run `portcullis login`, pass --token-file/);
  });

  it('in production it never reads the generated token', async () => {
    const production = {
      ...beside,
      NODE_ENV: 'production',
      ISSUER: 'https://id.example.com',
      TRUST_PROXY: 'true',
      COOKIE_KEYS: 'a-cookie-key-that-is-long-enough-for-production',
      KEY_ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64url'),
    };
    const result = await cli(production, ['keys', 'list']);
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /no admin credential/);
  });

  it('--token-file wins over every other source; --json prints the server’s body for scripts', async () => {
    const { operatorToken } = JSON.parse(await readFile(join(server.dataDir, 'dev-secrets.json'), 'utf8')) as { operatorToken: string };
    const good = await tokenFile(operatorToken);
    const listed = await cli({ ...beside, OPERATOR_TOKEN: 'a-wrong-operator-token-that-is-long-enough' }, ['keys', 'list', '--json', '--token-file', good]);
    assert.equal(listed.code, 0, listed.err.join('\n'));
    const body = JSON.parse(listed.out.join('\n')) as { keys: Array<{ kid: string; state: string }> };
    assert.ok(body.keys.some((key) => key.state === 'current'));

    const wrong = await cli(beside, ['keys', 'list', '--token-file', await tokenFile('not-the-token-at-all-but-long-enough-0000')]);
    assert.equal(wrong.code, 3, 'a refused credential is exit 3');
    assert.match(wrong.err.join('\n'), /401 invalid_token: .*--token-file/);
  });

  it('OPERATOR_TOKEN comes before the generated token: a wrong one is refused, not silently replaced', async () => {
    const result = await cli({ ...beside, OPERATOR_TOKEN: 'a-wrong-operator-token-that-is-long-enough' }, ['keys', 'list']);
    assert.equal(result.code, 3);
    assert.match(result.err.join('\n'), /401 invalid_token/);
  });

  it('a token without the scope is refused with exit 3 and the server’s insufficient_scope', async () => {
    const file = await tokenFile(await robotToken('keys:read'));
    const read = await cli(beside, ['keys', 'list', '--token-file', file]);
    assert.equal(read.code, 0, read.err.join('\n'));
    const rotate = await cli(beside, ['keys', 'rotate', '--token-file', file]);
    assert.equal(rotate.code, 3);
    assert.match(rotate.err.join('\n'), /403 insufficient_scope: this request needs the keys:write scope/);
    assert.match(rotate.err.join('\n'), /lacks the permission/, 'the hint: ask for a role that has it');
  });

  it('a cached login token is used only for its server and until it expires; an expired one says so', async () => {
    const empty = await tempDir();
    cleanups.push(empty.cleanup);
    const here = { OPERATOR_URL: server.url, DATA_DIR: empty.path };
    const valid = { accessToken: 'not-a-real-token-but-a-cached-one', scope: 'keys:read', expiresAt: Math.floor(Date.now() / 1000) + 300 };
    await writeCachedToken(empty.path, { ...valid, url: 'http://127.0.0.1:1' });
    const elsewhere = await cli(here, ['keys', 'list']);
    assert.equal(elsewhere.code, 1, 'a token cached for another server is not sent here');
    assert.match(elsewhere.err.join('\n'), /no admin credential/);

    await writeCachedToken(empty.path, { ...valid, url: server.url });
    const sent = await cli(here, ['keys', 'list']);
    assert.equal(sent.code, 3, 'the cached token was sent (and refused: it is no token the server issued)');
    assert.match(sent.err.join('\n'), /run `portcullis login` again/);

    await writeCachedToken(empty.path, { ...valid, url: server.url, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const expired = await cli(here, ['keys', 'list']);
    assert.equal(expired.code, 1);
    assert.match(expired.err.join('\n'), /your login token expired at \d{4}-/);
  });

  it('an unreachable server is exit 1 with the address named', async () => {
    const result = await cli({ ...beside, OPERATOR_URL: `http://127.0.0.1:${await freePort()}` }, ['users', 'list']);
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /cannot reach the server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('a password, secret or token on the command line is a usage error (exit 2) and nothing is sent', async () => {
    for (const argv of [
      ['users', 'add', 'mallory', '--password', 'hunter2hunter2'],
      ['users', 'add', 'mallory', '--password=hunter2hunter2'],
      ['users', 'set-password', 'bob', '--password', 'x'],
      ['clients', 'add', '--client-secret', 'x'],
      ['keys', 'list', '--token', 'x'],
    ]) {
      // An unreachable URL: had anything been sent, the answer would be exit 1.
      const result = await cli({ ...beside, OPERATOR_URL: `http://127.0.0.1:${await freePort()}` }, argv, 'unused');
      assert.equal(result.code, 2, argv.join(' '));
      assert.match(result.err.join('\n'), /never taken from the command line/);
    }
    assert.equal(await server.portcullis.accounts.findByUsername('mallory'), undefined);
  });

  it('malformed command lines are usage errors (exit 2): unknown flags, missing or extra arguments', async () => {
    for (const argv of [
      ['users', 'show'],
      ['users', 'show', 'a', 'b'],
      ['users', 'list', '--bogus'],
      ['users', 'list', '--limit', '1000'],
      ['users', 'update', 'bob'],
      ['users', 'delete', 'bob', '--purge'],
      ['clients', 'update', 'web-app'],
      ['roles', 'add', 'x'],
      ['resources', 'add', 'https://api.example.org', '--format', 'xml'],
      ['login', '--json'],
    ]) {
      const result = await cli(beside, argv);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.err.join('\n')}`);
      assert.match(result.err.join('\n'), /usage: portcullis /);
    }
  });

  it('hash-password prints an argon2id PHC string with the configured parameters that verifies the password; offline', async () => {
    const result = await cli(
      { ARGON2_MEMORY_KIB: '9216', ARGON2_TIME_COST: '2', OPERATOR_URL: 'http://127.0.0.1:9' },
      ['hash-password'],
      'a long password for bootstrap',
    );
    assert.equal(result.code, 0, result.err.join('\n'));
    const [hash] = result.out;
    assert.ok(isArgon2idHash(hash ?? ''), hash);
    assert.deepEqual(hashParameters(hash as string), { memoryCost: 9216, timeCost: 2, parallelism: 1 });
    assert.equal(await argon2.verify(hash as string, 'a long password for bootstrap'), true);
    assert.equal(await argon2.verify(hash as string, 'another password'), false);
  });

  it('as a child process, hash-password reads the password from a stdin pipe (first line) and prints only the hash', async () => {
    const result = await spawnCli({}, ['hash-password'], 'piped password for the bootstrap\nsecond line ignored\n');
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.equal(result.out.length, 1);
    assert.equal(await argon2.verify(result.out[0] as string, 'piped password for the bootstrap'), true);
    assert.ok(!result.out.join('').includes('piped password for the bootstrap'), 'the password is not echoed');
  });

  it('help lists every command and documents the exit codes', async () => {
    const { out } = await cli({}, ['help']);
    const text = out.join('\n');
    for (const name of ['users add', 'users reset-mfa', 'clients rotate-secret', 'roles add', 'resources delete', 'hash-password', 'login', 'logout'])
      assert.ok(text.includes(name), name);
    assert.match(text, /^ {2}2 {2}usage/m);
    assert.match(text, /^ {2}3 {2}refused/m);
  });
});
