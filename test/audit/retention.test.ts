/**
 * AUDIT_RETENTION on the stored trail (issue 17), with a clock the test moves: the leased purge
 * deletes the day files older than the retention, writes an audit.checkpoint first, and the
 * trail still verifies afterwards; a deletion the checkpoint does not account for is still named.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditRecord } from '../../src/storage/port.ts';
import { TestClock } from '../support/mfa.ts';
import { startServer, type TestServer } from '../support/server.ts';

const DAY = 86_400;
const OPERATOR_TOKEN = 'operator-token-for-audit-retention-tests-0123456789';

describe('audit retention', () => {
  const clock = new TestClock();
  let server: TestServer;
  const old: AuditRecord[] = [];
  const recent: AuditRecord[] = [];

  before(async () => {
    server = await startServer({ env: { AUDIT_RETENTION: '30d', OPERATOR_TOKEN }, options: { now: clock.now } });
    const append = (id: string, daysAgo: number) =>
      server.portcullis.auditTrail.chain.append({ id, type: 'retention.test', at: new Date(clock.now() - daysAgo * DAY * 1000), accountId: 'kept-person' });
    for (const [id, daysAgo] of [
      ['r-40a', 40],
      ['r-40b', 40],
      ['r-35', 35],
    ] as const)
      old.push(await append(id, daysAgo));
    for (const [id, daysAgo] of [
      ['r-5a', 5],
      ['r-5b', 5],
    ] as const)
      recent.push(await append(id, daysAgo));
  });
  after(() => server.close());

  const days = async () => (await readdir(join(server.dataDir, 'audit'))).sort();
  const dayOf = (record: AuditRecord) => `${record.at.toISOString().slice(0, 10)}.ndjson`;
  const ids = async () => (await server.portcullis.store.audit.list({ type: 'retention.test', limit: 100 })).map((record) => record.id);

  it('does nothing while another instance holds the lease', async () => {
    assert.equal(await server.portcullis.store.records.tryLock('audit.retention', 'another-instance', 60), true);
    assert.deepEqual(await server.portcullis.auditRetention.purge(), { removed: 0, ran: false });
    assert.equal((await ids()).length, 5);
    await server.portcullis.store.records.unlock('audit.retention', 'another-instance');
  });

  it('purges the days older than the retention after writing a checkpoint, and the trail still verifies', async () => {
    assert.ok((await days()).includes(dayOf(old[0] as AuditRecord)));
    const report = await server.portcullis.auditRetention.purge();
    assert.deepEqual(report, { removed: 3, ran: true });
    assert.deepEqual(await ids(), ['r-5b', 'r-5a']);
    const files = await days();
    for (const record of old) assert.ok(!files.includes(dayOf(record)), `${dayOf(record)} deleted`);
    assert.ok(files.includes(dayOf(recent[0] as AuditRecord)));

    const [checkpoint] = await server.portcullis.store.audit.list({ type: 'audit.checkpoint' });
    const last = old.at(-1) as AuditRecord;
    assert.deepEqual(checkpoint?.detail?.chains, [{ chain: last.chain, seq: last.seq, mac: last.mac }]);
    assert.equal(checkpoint?.detail?.records, 3);
    assert.equal(checkpoint?.chain, last.chain, 'the checkpoint is itself a record of the chain');

    const result = await server.portcullis.auditTrail.verify();
    assert.equal(result.ok, true, JSON.stringify(result));

    assert.deepEqual(await server.portcullis.auditRetention.purge(), { removed: 0, ran: true }, 'nothing more is old enough');
    assert.equal((await server.portcullis.store.audit.list({ type: 'audit.checkpoint' })).length, 1, 'no checkpoint for an empty purge');
  });

  it('keeps what is younger than the retention until the clock passes it, then purges that too', async () => {
    clock.advance(20 * DAY);
    assert.equal((await server.portcullis.auditRetention.purge()).removed, 0);
    assert.deepEqual(await ids(), ['r-5b', 'r-5a']);
    clock.advance(10 * DAY);
    assert.ok((await server.portcullis.auditRetention.purge()).removed >= 2);
    assert.deepEqual(await ids(), []);
    const checkpoints = await server.portcullis.store.audit.list({ type: 'audit.checkpoint' });
    assert.equal(checkpoints.length, 2, 'the first checkpoint is younger than the retention: both stand');
    const last = recent.at(-1) as AuditRecord;
    assert.deepEqual(checkpoints[0]?.detail?.chains, [{ chain: last.chain, seq: last.seq, mac: last.mac }], 'the second names the last record that went');
    const result = await server.portcullis.auditTrail.verify();
    assert.equal(result.ok, true, JSON.stringify(result));
  });

  it('still names a record deleted after the checkpoint', async () => {
    const first = await server.portcullis.auditTrail.chain.append({
      id: 'r-after-1',
      type: 'retention.test',
      at: new Date(clock.now()),
      accountId: 'kept-person',
    });
    await server.portcullis.auditTrail.chain.append({ id: 'r-after-2', type: 'retention.test', at: new Date(clock.now()), accountId: 'kept-person' });
    const path = join(server.dataDir, 'audit', dayOf(first));
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    await writeFile(path, `${lines.filter((line) => !line.includes('"id":"r-after-1"')).join('\n')}\n`);
    const result = await server.portcullis.auditTrail.verify();
    assert.deepEqual(result.problems, [{ chain: first.chain, seq: first.seq, problem: 'missing' }]);
  });
});
