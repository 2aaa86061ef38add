/**
 * The stored audit trail through the admin API (issue 17): query filters and cursors, bad input,
 * the tail order, verify naming an edited or deleted record of the NDJSON files, an erasure that
 * keeps the chain verifiable, the hourly anchor line, and an NDJSON export that streams.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createEmbeddedStore } from '../../src/storage/embedded/index.ts';
import type { AuditRecord, Store } from '../../src/storage/port.ts';
import { ADMIN_BOOTSTRAP } from '../support/admin.ts';
import { captureLogger } from '../support/log-capture.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const OPERATOR_TOKEN = 'operator-token-for-audit-trail-tests-0123456789';

interface Item {
  id: string;
  at: string;
  type: string;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  actor: { kind: string; id?: string } | null;
  outcome: string | null;
  detail: Record<string, unknown>;
  chain: string;
  seq: number;
  mac: string;
}

interface Verify {
  ok: boolean;
  checked: number;
  chains: number;
  problems: Array<{ chain: string; seq: number; id?: string; problem: string }>;
}

async function api<T>(server: TestServer, path: string, accept = 'application/json'): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}/admin/v1${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept } });
  return { status: response.status, body: (await response.json()) as T };
}

/** The NDJSON day file holding `id`. */
async function fileOf(server: TestServer, id: string): Promise<string> {
  const dir = join(server.dataDir, 'audit');
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await readFile(path, 'utf8')).includes(`"id":"${id}"`)) return path;
  }
  throw new Error(`no day file holds ${id}`);
}

/**
 * Rewrites the line of record `id` in place (null deletes it, a string is inserted before it),
 * reading the file as it is now: the server keeps appending (each admin call is audited).
 */
async function editLine(path: string, id: string, change: (line: string) => string[]): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  const index = lines.findIndex((line) => line.includes(`"id":"${id}"`));
  assert.notEqual(index, -1, `line of ${id}`);
  await writeFile(path, `${[...lines.slice(0, index), ...change(lines[index] as string), ...lines.slice(index + 1)].join('\n')}\n`);
}

describe('the stored audit trail over the admin API', () => {
  const capture = captureLogger('info');
  let server: TestServer;
  const base = Date.now() - 60 * 60_000;
  const seeded: AuditRecord[] = [];

  before(async () => {
    server = await startServer({ bootstrap: ADMIN_BOOTSTRAP, env: { OPERATOR_TOKEN }, options: { logger: capture.logger } });
    await server.portcullis.audit.flush();
    // 12 records a minute apart, through this process's chain as the bus's stored events go.
    for (let i = 0; i < 12; i += 1) {
      const record: AuditRecord = {
        id: `t-${String(i).padStart(2, '0')}`,
        type: i % 2 === 0 ? 'trail.login.success' : 'trail.admin.update',
        at: new Date(base + i * 60_000),
        accountId: `person-${i % 3}`,
        clientId: i % 4 === 0 ? 'trail-app' : 'other-app',
        ip: i % 2 === 0 ? '192.0.2.10' : '2001:db8::7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
        actor: i % 2 === 0 ? { kind: 'person', id: `person-${i % 3}` } : { kind: 'admin', id: 'ivan' },
        outcome: 'success',
        detail: { step: i, ...(i % 3 === 0 ? { username: `user-${i}` } : {}) },
      };
      seeded.push(await server.portcullis.auditTrail.chain.append(record));
    }
  });
  after(() => server.close());

  const ids = (items: Item[]) => items.map((item) => item.id).filter((id) => id.startsWith('t-'));
  const expect = (keep: (i: number) => boolean) =>
    seeded
      .filter((_, i) => keep(i))
      .map((record) => record.id)
      .reverse();

  it('lists records newest first in snake_case, with every filter', async () => {
    const { status, body } = await api<{ items: Item[]; next_cursor: string | null }>(server, '/audit?type=trail.&limit=100');
    assert.equal(status, 200);
    assert.deepEqual(
      ids(body.items),
      expect(() => true),
    );
    assert.equal(body.next_cursor, null);
    const newest = body.items[0] as Item;
    assert.equal(newest.id, 't-11');
    assert.equal(newest.subject, 'person-2');
    assert.equal(newest.client_id, 'other-app');
    assert.equal(newest.ip, '2001:db8::7');
    assert.equal(newest.user_agent, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0');
    assert.deepEqual(newest.actor, { kind: 'admin', id: 'ivan' });
    assert.equal(newest.outcome, 'success');
    assert.deepEqual(newest.detail, { step: 11 });
    assert.equal(newest.chain, server.portcullis.auditTrail.chain.id);
    assert.equal(typeof newest.seq, 'number');
    assert.equal(newest.at, seeded[11]?.at.toISOString());

    const only = async (query: string) => ids((await api<{ items: Item[] }>(server, `/audit?${query}&limit=100`)).body.items);
    assert.deepEqual(
      await only('type=trail.login.'),
      expect((i) => i % 2 === 0),
    );
    assert.deepEqual(
      await only('type=trail.&subject=person-1'),
      expect((i) => i % 3 === 1),
    );
    assert.deepEqual(
      await only('actor=ivan'),
      expect((i) => i % 2 === 1),
    );
    assert.deepEqual(
      await only('client_id=trail-app'),
      expect((i) => i % 4 === 0),
    );
    assert.deepEqual(
      await only(`ip=${encodeURIComponent('2001:db8::7')}`),
      expect((i) => i % 2 === 1),
    );
    const since = new Date(base + 3 * 60_000).toISOString();
    const until = new Date(base + 7 * 60_000).toISOString();
    assert.deepEqual(
      await only(`type=trail.&since=${since}&until=${until}`),
      expect((i) => i >= 3 && i < 7),
    );
  });

  it('pages by cursor without repeats or gaps, and follows new records oldest first with order=asc&after', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/audit?type=trail.&limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const { body }: { body: { items: Item[]; next_cursor: string | null } } = await api(server, query);
      assert.ok(body.items.length <= 5);
      seen.push(...ids(body.items));
      cursor = body.next_cursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      expect(() => true),
    );

    const first = await api<{ items: Item[]; next_cursor: string }>(server, `/audit?type=trail.&order=asc&limit=5`);
    assert.deepEqual(
      ids(first.body.items),
      seeded.slice(0, 5).map((record) => record.id),
    );
    const rest = await api<{ items: Item[]; next_cursor: string }>(server, `/audit?type=trail.&order=asc&limit=100&after=${first.body.next_cursor}`);
    assert.deepEqual(
      ids(rest.body.items),
      seeded.slice(5).map((record) => record.id),
    );
    const empty = await api<{ items: Item[]; next_cursor: string }>(server, `/audit?type=trail.&order=asc&after=${rest.body.next_cursor}`);
    assert.deepEqual(empty.body.items, []);
    assert.equal(empty.body.next_cursor, rest.body.next_cursor, 'a poller keeps its place when nothing is new');
    const late = await server.portcullis.auditTrail.chain.append({ id: 't-late', type: 'trail.login.success', at: new Date(), accountId: 'person-0' });
    const next = await api<{ items: Item[] }>(server, `/audit?type=trail.&order=asc&after=${empty.body.next_cursor}`);
    assert.deepEqual(ids(next.body.items), [late.id]);
  });

  it('refuses bad filter values with 400 and a stable code, never a 500', async () => {
    for (const [query, code] of [
      ['since=yesterday', 'invalid_request'],
      ['until=2026-13-45T99:00:00Z', 'invalid_request'],
      ['ip=999.1.2.3', 'invalid_request'],
      ['type=login%20OR%201', 'invalid_request'],
      ['limit=0', 'invalid_request'],
      ['limit=101', 'invalid_request'],
      ['order=sideways', 'invalid_request'],
      ['subject=a&subject=b', 'invalid_request'],
      ['colour=blue', 'invalid_request'],
      [`subject=${'x'.repeat(300)}`, 'invalid_request'],
      ['cursor=bm90LWEtY3Vyc29y', 'invalid_cursor'],
      [`order=asc&after=${Buffer.from(JSON.stringify([new Date().toISOString().slice(0, 10), 0, 'nope'])).toString('base64url')}`, 'invalid_cursor'],
      ['cursor=abc&after=abc', 'invalid_request'],
    ]) {
      const { status, body } = await api<{ error: string }>(server, `/audit?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.error, code, query);
    }
  });

  it('verifies; an edited line is named altered and a deleted one missing, and restoring it verifies again', async () => {
    const clean = await api<Verify>(server, '/audit/verify');
    assert.equal(clean.status, 200);
    assert.equal(clean.body.ok, true, JSON.stringify(clean.body));
    assert.ok(clean.body.checked >= 12);
    assert.deepEqual(clean.body.problems, []);

    const target = seeded[4] as AuditRecord;
    const next = seeded[5] as AuditRecord;
    const path = await fileOf(server, target.id);
    let original = '';
    await editLine(path, target.id, (line) => {
      original = line;
      return [JSON.stringify({ ...JSON.parse(line), outcome: 'failure' })];
    });
    const altered = await api<Verify>(server, '/audit/verify');
    assert.equal(altered.body.ok, false);
    assert.deepEqual(altered.body.problems, [{ chain: target.chain, seq: target.seq, id: target.id, problem: 'altered' }]);

    // Editing a personal field is caught too, while the personal fields are still there.
    await editLine(path, target.id, () => [JSON.stringify({ ...JSON.parse(original), ip: '192.0.2.99' })]);
    assert.deepEqual((await api<Verify>(server, '/audit/verify')).body.problems, [{ chain: target.chain, seq: target.seq, id: target.id, problem: 'altered' }]);

    await editLine(path, target.id, () => []);
    const missing = await api<Verify>(server, '/audit/verify');
    assert.equal(missing.body.ok, false);
    assert.deepEqual(missing.body.problems, [{ chain: target.chain, seq: target.seq, problem: 'missing' }]);

    await editLine(path, next.id, (line) => [original, line]);
    assert.equal((await api<Verify>(server, '/audit/verify')).body.ok, true);
  });

  it("names the newest record of this process's chain when it is deleted", async () => {
    await server.portcullis.audit.flush();
    const newest = await server.portcullis.auditTrail.chain.append({ id: 't-newest', type: 'trail.login.success', at: new Date(), accountId: 'person-0' });
    const path = await fileOf(server, newest.id);
    let original = '';
    await editLine(path, newest.id, (line) => {
      original = line;
      return [];
    });
    // Read in-process: an admin call would itself append a record after the deleted one.
    const result = await server.portcullis.auditTrail.verify();
    assert.deepEqual(result.problems, [{ chain: newest.chain, seq: newest.seq, problem: 'missing' }]);
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    await writeFile(path, `${[...lines, original].join('\n')}\n`);
    assert.equal((await server.portcullis.auditTrail.verify()).ok, true);
  });

  it('keeps the chain verifiable after an erasure removes the personal fields', async () => {
    assert.ok((await server.portcullis.store.audit.scrubAccount('person-0')) >= 4);
    const { body } = await api<{ items: Item[] }>(server, '/audit?subject=person-0&type=trail.&limit=100');
    for (const item of body.items) {
      assert.equal(item.ip, null, item.id);
      assert.equal(item.user_agent, null, item.id);
      assert.equal(item.detail.username, undefined, item.id);
    }
    assert.equal((await api<Verify>(server, '/audit/verify')).body.ok, true);
  });

  it("logs the chain's head as an audit.anchor line, which matches the newest stored record", async () => {
    await server.portcullis.audit.flush();
    const head = server.portcullis.auditTrail.chain.head();
    server.portcullis.auditTrail.anchor.anchor();
    const line = capture.lines.filter((entry) => entry.msg === 'audit.anchor').at(-1);
    assert.ok(line, 'an anchor line was logged');
    assert.deepEqual({ chain: line.chain, seq: line.seq, mac: line.mac }, head);
    // The stored record at that seq carries that mac (this call is itself audited, one seq later).
    const { body } = await api<{ items: Item[] }>(server, '/audit?limit=5');
    const anchored = body.items.find((item) => item.seq === head.seq);
    assert.deepEqual({ chain: anchored?.chain, seq: anchored?.seq, mac: anchored?.mac }, head);
    assert.deepEqual((await api<{ items: Item[] }>(server, '/audit?type=audit.anchor')).body.items, [], 'anchors are log-only');
  });
});

describe('the NDJSON export of the audit trail', () => {
  const TOTAL = 20_000;
  let server: TestServer;
  let store: Store;
  let cleanup: () => Promise<void>;
  let pulled = 0;

  before(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    const inner = await createEmbeddedStore(dir.path);
    // Counts how many records the server has pulled from the store's query so far.
    const query: Store['audit']['query'] = (filter) =>
      (async function* () {
        for await (const hit of inner.audit.query(filter)) {
          pulled += 1;
          yield hit;
        }
      })();
    store = { ...inner, audit: { ...inner.audit, query } };
    server = await startServer({ dataDir: dir.path, env: { OPERATOR_TOKEN }, options: { store } });
    const padding = 'p'.repeat(1500);
    for (let i = 0; i < TOTAL; i += 1) {
      await server.portcullis.auditTrail.chain.append({ id: `n-${i}`, type: 'export.test', at: new Date(), accountId: 'exported', detail: { i, padding } });
    }
  });
  after(async () => {
    await server.close();
    await store.close();
    await cleanup();
  });

  it('streams every match: the first lines arrive while most records are still unread, and all of them come', async () => {
    pulled = 0;
    const response = await fetch(`${server.url}/admin/v1/audit?type=export.`, {
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, accept: 'application/x-ndjson' },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(response.headers.get('content-length'), null, 'not a buffered body');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      assert.equal(done, false);
      text += decoder.decode(value, { stream: true });
    }
    const first = JSON.parse(text.slice(0, text.indexOf('\n'))) as Item;
    assert.equal(first.id, `n-${TOTAL - 1}`, 'newest first');
    assert.ok(pulled < TOTAL, `only ${pulled} of ${TOTAL} records read from the store when the first line arrived`);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const lines = text.split('\n').filter(Boolean);
    assert.equal(lines.length, TOTAL);
    assert.equal((JSON.parse(lines.at(-1) as string) as Item).id, 'n-0');
    assert.equal(pulled, TOTAL);
  });
});
