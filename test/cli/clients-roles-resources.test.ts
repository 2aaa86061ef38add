/**
 * The clients, roles and resources commands against a running server (the real admin routes, not
 * a stand-in): a client the CLI adds gets a secret, printed once, that works at the token
 * endpoint; rotate-secret prints a new one and the old one fails; update changes metadata;
 * delete makes show a 404 (exit 1). Roles and resources round-trip, a built-in role refuses
 * change (403, exit 3), and a resource is named by its identifier URL in the path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
/** From DEFAULT_BOOTSTRAP: an API with the scopes read and write. */
const API = 'https://api.example.com';

describe('clients, roles and resources commands against a running server', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
    env = { OPERATOR_URL: server.url, OPERATOR_TOKEN: TOKEN, DATA_DIR: server.dataDir, ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' };
  });
  after(() => server.close());

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, COMMANDS, { config: () => loadConfig(env), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err, text: out.join('\n'), json: () => JSON.parse(out.join('\n')) as Record<string, unknown> };
  };

  const secretIn = (lines: string[]) => {
    const found = lines.map((line) => /^client_secret: (\S+)$/.exec(line)?.[1]).find((secret) => secret !== undefined);
    assert.ok(found, `a client_secret line in: ${lines.join('\n')}`);
    return found;
  };

  async function clientCredentials(id: string, secret: string) {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: API, scope: 'read' }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('clients add prints a secret once that works at the token endpoint; show and list never print it', async () => {
    const added = await cli(
      'clients',
      'add',
      '--id',
      'cli-billing',
      '--name',
      'Billing',
      '--grant-type',
      'client_credentials',
      '--auth-method',
      'client_secret_basic',
    );
    assert.equal(added.code, 0, added.err.join('\n'));
    assert.match(added.out[0] ?? '', /^created client cli-billing$/);
    const secret = secretIn(added.out);
    const issued = await clientCredentials('cli-billing', secret);
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const claims = JSON.parse(Buffer.from(String(issued.body.access_token).split('.')[1] ?? '', 'base64url').toString()) as {
      aud: unknown;
      client_id: unknown;
    };
    assert.equal(claims.aud, API);
    assert.equal(claims.client_id, 'cli-billing');

    const shown = await cli('clients', 'show', 'cli-billing', '--json');
    assert.equal(shown.code, 0, shown.err.join('\n'));
    const view = shown.json();
    assert.equal(view.client_id, 'cli-billing');
    assert.equal(view.client_name, 'Billing');
    assert.equal('client_secret' in view, false);
    assert.equal(shown.text.includes(secret), false);

    const table = await cli('clients', 'list');
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out[0] ?? '', /^CLIENT ID\s+NAME\s+AUTH METHOD/);
    assert.ok(table.out.some((line) => /^cli-billing\s+Billing\s+client_secret_basic\s+client_credentials/.test(line)));
    const listed = (await cli('clients', 'list', '--json')).json() as { items: Array<{ client_id: string }>; next_cursor: unknown };
    assert.ok(listed.items.some((item) => item.client_id === 'cli-billing'));
    assert.equal(listed.next_cursor, null);
  });

  it('clients rotate-secret prints a new secret; the old one fails and the new one works', async () => {
    const added = await cli('clients', 'add', '--id', 'cli-rotating', '--grant-type', 'client_credentials', '--auth-method', 'client_secret_basic');
    assert.equal(added.code, 0, added.err.join('\n'));
    const old = secretIn(added.out);
    const rotated = await cli('clients', 'rotate-secret', 'cli-rotating');
    assert.equal(rotated.code, 0, rotated.err.join('\n'));
    const fresh = secretIn(rotated.out);
    assert.notEqual(fresh, old);
    assert.equal((await clientCredentials('cli-rotating', old)).status, 401);
    assert.equal((await clientCredentials('cli-rotating', fresh)).status, 200);
    const again = await cli('clients', 'rotate-secret', 'cli-rotating', '--json');
    assert.equal(again.code, 0, again.err.join('\n'));
    const body = again.json();
    assert.equal(body.client_id, 'cli-rotating');
    assert.equal((await clientCredentials('cli-rotating', String(body.client_secret))).status, 200);
    assert.equal((await clientCredentials('cli-rotating', fresh)).status, 401);
  });

  it('clients update changes metadata; delete makes show answer 404 with exit 1', async () => {
    const added = await cli(
      'clients',
      'add',
      '--id',
      'cli-doomed',
      '--name',
      'Before',
      '--grant-type',
      'client_credentials',
      '--auth-method',
      'client_secret_basic',
    );
    assert.equal(added.code, 0, added.err.join('\n'));
    const secret = secretIn(added.out);
    const updated = await cli('clients', 'update', 'cli-doomed', '--name', 'After', '--json');
    assert.equal(updated.code, 0, updated.err.join('\n'));
    assert.equal(updated.json().client_name, 'After');
    assert.equal((await cli('clients', 'show', 'cli-doomed', '--json')).json().client_name, 'After');
    assert.equal((await clientCredentials('cli-doomed', secret)).status, 200, 'the secret survives the update');

    const deleted = await cli('clients', 'delete', 'cli-doomed');
    assert.equal(deleted.code, 0, deleted.err.join('\n'));
    assert.equal((await clientCredentials('cli-doomed', secret)).status, 401);
    const missing = await cli('clients', 'show', 'cli-doomed');
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /404 client_not_found/);

    const reserved = await cli('clients', 'add', '--id', 'cli-doomed', '--grant-type', 'client_credentials');
    assert.equal(reserved.code, 1, 'the id stays reserved after a delete');
    assert.match(reserved.err.join('\n'), /409 client_exists/);
    assert.equal((await cli('clients', 'delete', 'cli-doomed', '--purge')).code, 2, '--purge wants --yes');
    const purged = await cli('clients', 'delete', 'cli-doomed', '--purge', '--yes');
    assert.equal(purged.code, 0, purged.err.join('\n'));
    const reused = await cli('clients', 'add', '--id', 'cli-doomed', '--grant-type', 'client_credentials');
    assert.equal(reused.code, 0, reused.err.join('\n'));
    assert.equal((await clientCredentials('cli-doomed', secret)).status, 401, 'the old secret is not the new client’s');
  });

  it('clients update to a secret-based method prints the new secret once, and it works', async () => {
    const added = await cli(
      'clients',
      'add',
      '--id',
      'cli-going-confidential',
      '--auth-method',
      'none',
      '--redirect-uri',
      'https://app.example.com/cb',
      '--grant-type',
      'authorization_code',
    );
    assert.equal(added.code, 0, added.err.join('\n'));
    assert.equal(
      added.out.some((line) => line.startsWith('client_secret')),
      false,
      'a public client has no secret',
    );
    const updated = await cli(
      'clients',
      'update',
      'cli-going-confidential',
      '--auth-method',
      'client_secret_basic',
      '--grant-type',
      'authorization_code',
      '--grant-type',
      'client_credentials',
    );
    assert.equal(updated.code, 0, updated.err.join('\n'));
    const secret = secretIn(updated.out);
    assert.ok(
      updated.out.some((line) => line.startsWith('(shown once')),
      'said to be shown once',
    );
    assert.equal((await clientCredentials('cli-going-confidential', secret)).status, 200);
  });

  it('roles add, show, update, list and delete round-trip; a built-in role refuses change with exit 3', async () => {
    const added = await cli(
      'roles',
      'add',
      'support-lead',
      '--description',
      'Leads the help desk',
      '--permission',
      'users:read',
      '--permission',
      'sessions:read',
      '--json',
    );
    assert.equal(added.code, 0, added.err.join('\n'));
    assert.deepEqual(added.json(), { name: 'support-lead', description: 'Leads the help desk', permissions: ['users:read', 'sessions:read'], built_in: false });

    const updated = await cli('roles', 'update', 'support-lead', '--permission', 'users:read', '--permission', 'users:write');
    assert.equal(updated.code, 0, updated.err.join('\n'));
    const shown = await cli('roles', 'show', 'support-lead', '--json');
    assert.deepEqual(shown.json().permissions, ['users:read', 'users:write']);
    assert.equal(shown.json().description, 'Leads the help desk', 'a field not given stays');

    const table = await cli('roles', 'list');
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.ok(
      table.out.some((line) => /^admin\s+yes\s/.test(line)),
      'built-in roles are marked',
    );
    assert.ok(table.out.some((line) => /^support-lead\s+users:read,users:write\s+Leads the help desk$/.test(line)));
    const listed = (await cli('roles', 'list', '--json')).json() as { items: Array<{ name: string; built_in: boolean }> };
    assert.equal(listed.items.find((role) => role.name === 'helpdesk')?.built_in, true);

    const refused = await cli('roles', 'update', 'admin', '--description', 'mine now');
    assert.equal(refused.code, 3);
    assert.match(refused.err.join('\n'), /403 builtin_role/);
    assert.doesNotMatch(refused.err.join('\n'), /lacks the permission/, 'no role would help: the hint must not send the operator for one');
    assert.equal((await cli('roles', 'delete', 'auditor')).code, 3);

    assert.equal((await cli('users', 'update', 'bob', '--admin-role', 'support-lead')).code, 0);
    const held = await cli('roles', 'delete', 'support-lead');
    assert.equal(held.code, 1, 'a conflict is exit 1, not a refusal');
    assert.match(held.err.join('\n'), /409 role_in_use/);
    assert.equal((await cli('users', 'update', 'bob', '--no-admin-roles')).code, 0);

    const deleted = await cli('roles', 'delete', 'support-lead');
    assert.equal(deleted.code, 0, deleted.err.join('\n'));
    const missing = await cli('roles', 'show', 'support-lead');
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /404 role_not_found/);
  });

  it('resources add, show, update, list and delete round-trip by an identifier URL in the path', async () => {
    // A % of its own too: encoded once by the CLI, decoded once by the router.
    const identifier = 'https://billing.example.com/v1/ledger%2Fentries';
    const added = await cli('resources', 'add', identifier, '--scope', 'ledger:read', '--format', 'opaque', '--ttl', '300', '--json');
    assert.equal(added.code, 0, added.err.join('\n'));
    assert.equal(added.json().identifier, identifier);
    assert.equal(server.portcullis.resources.get(identifier)?.accessTokenFormat, 'opaque');

    const shown = await cli('resources', 'show', identifier, '--json');
    assert.equal(shown.code, 0, shown.err.join('\n'));
    assert.deepEqual(shown.json().scopes, ['ledger:read']);
    assert.equal(shown.json().accessTokenTTL, 300);

    const updated = await cli('resources', 'update', identifier, '--scope', 'ledger:read', '--scope', 'ledger:write', '--format', 'jwt');
    assert.equal(updated.code, 0, updated.err.join('\n'));
    assert.deepEqual(server.portcullis.resources.get(identifier)?.scopes, ['ledger:read', 'ledger:write']);
    assert.equal(server.portcullis.resources.get(identifier)?.accessTokenTTL, 300, 'a field not given stays');

    const table = await cli('resources', 'list');
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out[0] ?? '', /^IDENTIFIER\s+SCOPES\s+FORMAT\s+TTL/);
    assert.ok(table.out.some((line) => line.startsWith(`${identifier}  `) && /ledger:read,ledger:write\s+jwt\s+300/.test(line)));
    const listed = (await cli('resources', 'list', '--json')).json() as { items: Array<{ identifier: string; built_in: boolean }> };
    assert.equal(listed.items.find((item) => item.identifier === `${server.url}/admin/v1`)?.built_in, true);
    assert.ok(listed.items.some((item) => item.identifier === identifier));

    const builtIn = await cli('resources', 'delete', `${server.url}/admin/v1`);
    assert.equal(builtIn.code, 3);
    assert.match(builtIn.err.join('\n'), /403 builtin_resource/);

    const deleted = await cli('resources', 'delete', identifier);
    assert.equal(deleted.code, 0, deleted.err.join('\n'));
    assert.equal(server.portcullis.resources.get(identifier), undefined);
    const missing = await cli('resources', 'show', identifier);
    assert.equal(missing.code, 1);
    assert.match(missing.err.join('\n'), /404 resource_not_found/);
  });
});
