/**
 * The people commands against a running server: a person created with the password piped on
 * stdin of a child process signs in with it, lists and shows as a table and as JSON, and is
 * disabled and enabled again, each step audited as the operator beside the server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ADMIN_BOOTSTRAP } from '../support/admin.ts';
import { startServer, type TestServer } from '../support/server.ts';

describe('users commands against a running server', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP });
    env = { OPERATOR_URL: server.url, DATA_DIR: server.dataDir, ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' };
  });
  after(() => server.close());

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, { config: () => loadConfig(env), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  it('users add reads the password from a stdin pipe; the person can sign in with it', async () => {
    const child = spawn(process.execPath, ['src/cli/index.ts', 'users', 'add', 'dave', '--email', 'dave@example.com', '--admin-role', 'helpdesk'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end('carefully piped walrus password\n');
    assert.equal(await new Promise((resolve) => child.once('close', resolve)), 0, stderr);
    assert.match(stdout, /^created dave \(id [\w-]+\), admin roles: helpdesk/);
    const signIn = await server.portcullis.accounts.authenticate('dave', 'carefully piped walrus password');
    assert.equal(signIn.ok, true, 'the piped password is the one set');
  });

  it('users list is a table for people and JSON for scripts; show names a person by username', async () => {
    const table = await cli('users', 'list', '--q', 'dav');
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out[0] ?? '', /^ID\s+USERNAME\s+EMAIL/);
    assert.ok(table.out.some((line) => /\bdave\s+dave@example\.com\b.*\bhelpdesk\b/.test(line)));
    const json = await cli('users', 'list', '--json');
    const body = JSON.parse(json.out.join('\n')) as { items: Array<{ username: string }>; next_cursor: string | null };
    assert.ok(body.items.some((user) => user.username === 'dave'));
    assert.equal(body.next_cursor, null);
    const shown = await cli('users', 'show', 'dave', '--json');
    assert.equal((JSON.parse(shown.out.join('\n')) as { email: string }).email, 'dave@example.com');
  });

  it('disable and enable go through the API; a missing person is exit 1 with user_not_found', async () => {
    assert.equal((await cli('users', 'disable', 'dave')).code, 0);
    assert.equal((await server.portcullis.accounts.findByUsername('dave'))?.status, 'disabled');
    assert.equal((await cli('users', 'enable', 'dave')).code, 0);
    assert.equal((await server.portcullis.accounts.findByUsername('dave'))?.status, 'active');
    const missing = await cli('users', 'show', 'nobody-here');
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /404 user_not_found/);
  });
});
