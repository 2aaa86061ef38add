/**
 * `portcullis audit search|tail|verify` against a running server (issue 17): the CLI speaks only
 * to the admin API. verify exits 0 on an intact trail and 1 naming an edited or deleted record.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { type CliContext, runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { AuditRecord } from '../../src/storage/port.ts';
import { startServer, type TestServer } from '../support/server.ts';

const OPERATOR_TOKEN = 'operator-token-for-audit-cli-tests-0123456789';

interface Run {
  code: number;
  out: string[];
  err: string[];
}

describe('portcullis audit', () => {
  let server: TestServer;
  const seeded: AuditRecord[] = [];

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN } });
    for (let i = 0; i < 4; i += 1) {
      seeded.push(
        await server.portcullis.auditTrail.chain.append({
          id: `cli-${i}`,
          type: i % 2 ? 'cli.login.failed' : 'cli.login.success',
          at: new Date(Date.now() - (10 - i) * 60_000),
          accountId: `cli-person-${i % 2}`,
          clientId: 'cli-app',
          ip: '192.0.2.20',
          actor: { kind: 'person', id: `cli-person-${i % 2}` },
          outcome: i % 2 ? 'failure' : 'success',
        }),
      );
    }
  });
  after(() => server.close());

  async function cli(...argv: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const context: CliContext = {
      config: () => loadConfig({ OPERATOR_URL: server.url, OPERATOR_TOKEN, DATA_DIR: server.dataDir }),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    };
    return { code: await runCli(argv, COMMANDS, context), out, err };
  }

  async function editLine(id: string, change: (line: string) => string[]): Promise<void> {
    const dir = join(server.dataDir, 'audit');
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
      const index = lines.findIndex((line) => line.includes(`"id":"${id}"`));
      if (index === -1) continue;
      await writeFile(path, `${[...lines.slice(0, index), ...change(lines[index] as string), ...lines.slice(index + 1)].join('\n')}\n`);
      return;
    }
    throw new Error(`no line for ${id}`);
  }

  it('search prints the matching records newest first, as a table or as JSON, one page at a time', async () => {
    const table = await cli('audit', 'search', '--type', 'cli.login.', '--subject', 'cli-person-1');
    assert.equal(table.code, 0, table.err.join('\n'));
    assert.match(table.out[0] ?? '', /^AT\s+TYPE\s+SUBJECT\s+ACTOR\s+CLIENT\s+IP\s+OUTCOME/);
    assert.equal(table.out.length, 3);
    assert.match(table.out[1] ?? '', /cli\.login\.failed\s+cli-person-1\s+person:cli-person-1\s+cli-app\s+192\.0\.2\.20\s+failure/);

    const json = await cli('audit', 'search', '--type', 'cli.', '--json');
    const page = JSON.parse(json.out.join('\n')) as { items: Array<{ id: string }>; next_cursor: string | null };
    assert.deepEqual(
      page.items.map((item) => item.id),
      ['cli-3', 'cli-2', 'cli-1', 'cli-0'],
    );

    const first = await cli('audit', 'search', '--type', 'cli.', '--limit', '1');
    assert.equal(first.out.length, 2);
    const more = first.err.find((line) => line.startsWith('more: --cursor '));
    assert.ok(more, first.err.join('\n'));
    const second = await cli('audit', 'search', '--type', 'cli.', '--limit', '1', '--cursor', more.slice('more: --cursor '.length), '--json');
    assert.deepEqual(
      (JSON.parse(second.out.join('\n')) as { items: Array<{ id: string }> }).items.map((item) => item.id),
      ['cli-2'],
    );
  });

  it('search refuses a bad filter with the server’s stable code (exit 1) and a bad --limit before sending (exit 2)', async () => {
    const bad = await cli('audit', 'search', '--since', 'last tuesday');
    assert.equal(bad.code, 1);
    assert.match(bad.err.join('\n'), /400 invalid_request: invalid or missing field: since/);
    assert.equal((await cli('audit', 'search', '--limit', '1000')).code, 2);
  });

  it('tail prints new records as they are written, oldest first', async () => {
    const since = new Date().toISOString();
    const running = cli('audit', 'tail', '--type', 'tail.', '--since', since, '--interval', '100ms', '--max', '3', '--json');
    for (const id of ['tail-1', 'tail-2', 'tail-3']) {
      await server.portcullis.auditTrail.chain.append({ id, type: 'tail.test', at: new Date(), accountId: 'tail-person' });
    }
    const run = await running;
    assert.equal(run.code, 0, run.err.join('\n'));
    assert.deepEqual(
      run.out.map((line) => (JSON.parse(line) as { id: string }).id),
      ['tail-1', 'tail-2', 'tail-3'],
    );
  });

  it('verify exits 0 on an intact trail and 1 naming an edited or a deleted record', async () => {
    const clean = await cli('audit', 'verify');
    assert.equal(clean.code, 0, clean.out.join('\n'));
    assert.match(clean.out[0] ?? '', /^ok: \d+ records in 1 chains verify$/);

    const target = seeded[1] as AuditRecord;
    let original = '';
    await editLine(target.id, (line) => {
      original = line;
      return [JSON.stringify({ ...JSON.parse(line), accountId: 'someone-else' })];
    });
    const altered = await cli('audit', 'verify');
    assert.equal(altered.code, 1);
    assert.deepEqual(altered.out, [`chain ${target.chain} seq ${target.seq}: record ${target.id} was altered`]);
    assert.match(altered.err.join('\n'), /does not verify/);

    await editLine(target.id, () => []);
    const missing = await cli('audit', 'verify', '--json');
    assert.equal(missing.code, 1);
    assert.deepEqual((JSON.parse(missing.out.join('\n')) as { problems: unknown[] }).problems, [{ chain: target.chain, seq: target.seq, problem: 'missing' }]);
    const said = await cli('audit', 'verify');
    assert.deepEqual(said.out, [`chain ${target.chain} seq ${target.seq}: a record is missing`]);

    await editLine((seeded[2] as AuditRecord).id, (line) => [original, line]);
    assert.equal((await cli('audit', 'verify')).code, 0);
  });
});
