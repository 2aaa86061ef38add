/**
 * The embedded audit trail's on-disk index (issue 17): segments beside the day files, with a
 * small SEGMENT_BYTES (16 KiB) so a few thousand records make many segments and a tail. Bytes
 * read are counted through the trail's read hook: the index must make a query read less, and
 * answer exactly what a brute-force filter over the written records answers.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { matches } from '../../src/storage/embedded/audit-filter.ts';
import { createEmbeddedAuditTrail, dayOf, type EmbeddedAuditTrail } from '../../src/storage/embedded/audit-trail.ts';
import type { AuditFilter, AuditRecord } from '../../src/storage/port.ts';
import { tempDir } from '../support/tmp.ts';

// 1/256 of the default 4 MiB segment and 256-entry fence block: the same proportions, smaller files.
const SEGMENT = 16 * 1024;
const STRIDE = 16;
const DAY_MS = 86_400_000;
const BASE = Date.parse('2026-11-20T00:00:00.000Z');
const TYPES = ['login.success', 'login.failed', 'admin.users.update', 'admin.clients.create', 'mfa.verified', 'session.ended', 'plain'];

const dirs: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of dirs) await cleanup();
});

/** A seeded generator: the same trail every run, different shapes throughout it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRecords(count: number, days: number, seed = 17): AuditRecord[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const records: AuditRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const person = next() < 0.9 ? `p-${Math.floor(next() * 30)}` : undefined;
    const record: AuditRecord = { id: `rec-${i}`, type: pick(TYPES), at: new Date(BASE + Math.floor((i / count) * days * DAY_MS)) };
    if (person) record.accountId = person;
    if (next() < 0.8) record.actor = next() < 0.7 && person ? { kind: 'person', id: person } : { kind: 'admin', id: pick(['adm-1', 'adm-2']) };
    if (next() < 0.7) record.clientId = pick(['c-1', 'c-2', 'c-3', 'c-4']);
    if (next() < 0.8) record.ip = pick(['192.0.2.1', '192.0.2.2', '198.51.100.7', '2001:db8::1', '203.0.113.9']);
    record.userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    record.detail = { note: 'x'.repeat(Math.floor(next() * 120)), username: person ?? 'none' };
    records.push(record);
  }
  return records;
}

/** What any correct trail answers: file order within a day, days in order; newest first reverses both. */
function expected(records: AuditRecord[], filter: AuditFilter): string[] {
  const byDay = new Map<string, AuditRecord[]>();
  for (const record of records) byDay.set(dayOf(record.at), [...(byDay.get(dayOf(record.at)) ?? []), record]);
  const ordered = [...byDay.keys()].sort().flatMap((day) => byDay.get(day) as AuditRecord[]);
  const found = ordered.filter((record) => matches(record, filter)).map((record) => record.id);
  return filter.order === 'asc' ? found : found.reverse();
}

interface Opened {
  dir: string;
  trail: EmbeddedAuditTrail;
  read: { bytes: number };
}

async function openTrail(dir?: string): Promise<Opened> {
  let path = dir;
  if (!path) {
    const made = await tempDir('portcullis-audit-index-');
    dirs.push(made.cleanup);
    path = made.path;
  }
  const read = { bytes: 0 };
  const trail = await createEmbeddedAuditTrail(path, { segmentBytes: SEGMENT, fenceStride: STRIDE, onRead: (bytes) => (read.bytes += bytes) });
  return { dir: path, trail, read };
}

async function ids(trail: EmbeddedAuditTrail, filter: AuditFilter, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const found: string[] = [];
  if (limit === 0) return found;
  for await (const hit of trail.query(filter)) {
    found.push(hit.record.id);
    if (found.length >= limit) break;
  }
  return found;
}

const segmentFiles = async (dir: string) => (await readdir(join(dir, 'audit'))).filter((name) => name.endsWith('.idx')).sort();
const dayFile = (dir: string, day: string) => join(dir, 'audit', `${day}.ndjson`);

async function writeAll(trail: EmbeddedAuditTrail, records: AuditRecord[]): Promise<void> {
  for (const record of records) await trail.append(record);
  await trail.indexIdle();
}

describe('embedded audit trail index', () => {
  it('writes owner-only segments in the background once a day file passes SEGMENT_BYTES, and a query for one person then reads a small part of the day', async () => {
    const { dir, trail, read } = await openTrail();
    const records = makeRecords(1500, 1);
    // One rare person, three records spread over the day.
    for (const at of [10, 700, 1400]) (records[at] as AuditRecord).accountId = 'rare-person';
    await writeAll(trail, records);
    const files = await segmentFiles(dir);
    assert.ok(files.length >= 10, `segments written: ${files.join(', ')}`);
    for (const name of files) assert.equal((await stat(join(dir, 'audit', name))).mode & 0o777, 0o600);
    const size = (await stat(dayFile(dir, '2026-11-20'))).size;

    read.bytes = 0;
    assert.deepEqual(await ids(trail, { accountId: 'rare-person' }), ['rec-1400', 'rec-700', 'rec-10']);
    assert.ok(read.bytes < size / 10, `read ${read.bytes} of ${size} bytes`);
    read.bytes = 0;
    assert.deepEqual(await ids(trail, { accountId: 'nobody-at-all' }), []);
    assert.ok(read.bytes < size / 10, `a miss read ${read.bytes} of ${size} bytes`);
    await trail.close();
  });

  it('answers every filter combination in both orders, and from cursors across segments, tails and days, exactly as a brute-force filter does', async () => {
    const { trail } = await openTrail();
    const records = makeRecords(3000, 3);
    await writeAll(trail, records);
    // Records appended after the background builds: short last segments of the closed days
    // (built by the queries), and more tail after the segments of the current (latest) day.
    const late = makeRecords(60, 1, 99).map((record, i) => ({ ...record, id: `late-${i}`, at: new Date(BASE + (i % 3) * DAY_MS + 1000 + i) }));
    for (const record of late) await trail.append(record);
    const all = [...records, ...late];

    const next = random(5);
    const maybe = <T>(values: readonly T[]): T | undefined => (next() < 0.45 ? (values[Math.floor(next() * values.length)] as T) : undefined);
    let checked = 0;
    for (let round = 0; round < 60; round += 1) {
      const filter: AuditFilter = {
        accountId: maybe(['p-1', 'p-2', 'p-17', 'nobody']),
        actorId: maybe(['p-1', 'adm-1', 'adm-2']),
        clientId: maybe(['c-1', 'c-3']),
        ip: maybe(['192.0.2.1', '2001:db8::1']),
        typePrefix: maybe(['login.', 'login.fai', 'admin.', 'admin.users.', 'admin.u', 'admin', 'plain', 'mfa.verified']),
        since: next() < 0.2 ? new Date(BASE + DAY_MS / 2) : undefined,
        until: next() < 0.2 ? new Date(BASE + 2 * DAY_MS + 3600_000) : undefined,
        order: next() < 0.5 ? 'asc' : 'desc',
      };
      const want = expected(all, filter);
      assert.deepEqual(await ids(trail, filter), want, JSON.stringify(filter));
      // Resume from a few cursors: the first hit, a middle one, the last.
      const hits: string[] = [];
      for await (const hit of trail.query(filter)) hits.push(hit.cursor);
      for (const at of new Set([0, Math.floor(hits.length / 2), hits.length - 1].filter((i) => i >= 0 && i < hits.length))) {
        assert.deepEqual(await ids(trail, { ...filter, after: hits[at] }), want.slice(at + 1), `${JSON.stringify(filter)} after ${at}`);
        checked += 1;
      }
    }
    assert.ok(checked > 40, `cursor resumptions checked: ${checked}`);

    // Paging in small pages through a dense filter walks every border.
    for (const order of ['asc', 'desc'] as const) {
      const filter: AuditFilter = { typePrefix: 'login.', order };
      const paged: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page: Array<{ id: string; cursor: string }> = [];
        for await (const hit of trail.query({ ...filter, after })) {
          page.push({ id: hit.record.id, cursor: hit.cursor });
          if (page.length === 37) break;
        }
        paged.push(...page.map((hit) => hit.id));
        if (page.length < 37) break;
        after = page.at(-1)?.cursor;
      }
      assert.deepEqual(paged, expected(all, filter), order);
    }
    await trail.close();
  });

  it('indexes the last tail of a day once appends move on to the next day, and leaves the current day’s tail to the scan', async () => {
    const { dir, trail } = await openTrail();
    const records = makeRecords(1000, 1);
    await writeAll(trail, records);
    const first = '2026-11-20';
    const size = (await stat(dayFile(dir, first))).size;
    const ends = async () => (await segmentFiles(dir)).map((name) => Number(name.split('-').at(-1)?.split('.')[0]));
    assert.ok(Math.max(...(await ends())) < size, 'the current day keeps a tail');
    await trail.append({ id: 'next-day', type: 'login.success', at: new Date(BASE + DAY_MS), accountId: 'p-1' });
    await trail.indexIdle();
    assert.equal(Math.max(...(await ends())), size, 'the closed day is indexed to its end');
    assert.ok(!(await segmentFiles(dir)).some((name) => name.startsWith('2026-11-21.')), 'the new day is too small for a segment');
    assert.deepEqual(
      await ids(trail, { accountId: 'p-1' }),
      expected([...records, { id: 'next-day', type: 'login.success', at: new Date(BASE + DAY_MS), accountId: 'p-1' }], { accountId: 'p-1' }),
    );
    await trail.close();
  });

  it('drops a day’s segments when an erasure rewrites the day, and later queries stay correct', async () => {
    const { dir, trail } = await openTrail();
    const records = makeRecords(1500, 2);
    await writeAll(trail, records);
    assert.ok((await segmentFiles(dir)).some((name) => name.startsWith('2026-11-20.')));
    assert.ok((await trail.scrubAccount('p-3')) > 0);
    assert.deepEqual(await segmentFiles(dir), [], 'every day held p-3: every day’s segments are gone');
    const scrubbed = records.map((record) => {
      if (record.accountId !== 'p-3') return record;
      const { ip: _ip, userAgent: _agent, ...rest } = record;
      return rest;
    });
    for (const filter of [{ accountId: 'p-3' }, { ip: '192.0.2.1' }, { accountId: 'p-3', ip: '192.0.2.1' }, { typePrefix: 'admin.', order: 'asc' as const }]) {
      assert.deepEqual(await ids(trail, filter), expected(scrubbed, filter), JSON.stringify(filter));
    }
    assert.ok((await segmentFiles(dir)).length > 0, 'rebuilt by the queries');
    await trail.close();
  });

  it('drops the index of a day file edited by hand (a line made longer) and still finds every record', async () => {
    const { dir, trail } = await openTrail();
    const records = makeRecords(1500, 1);
    await writeAll(trail, records);
    assert.ok((await segmentFiles(dir)).length > 5);
    const path = dayFile(dir, '2026-11-20');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[20] = (lines[20] as string).replace('"note":"', '"note":"made longer by hand ');
    await writeFile(path, lines.join('\n'));
    for (const filter of [{ accountId: 'p-4' }, { accountId: 'p-4', order: 'asc' as const }, { typePrefix: 'login.' }]) {
      assert.deepEqual(await ids(trail, filter), expected(records, filter), JSON.stringify(filter));
    }
    await trail.close();
  });

  it('drops the index of a day file cut short by hand and answers from what is left', async () => {
    const { dir, trail } = await openTrail();
    const records = makeRecords(1500, 1);
    await writeAll(trail, records);
    const path = dayFile(dir, '2026-11-20');
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, `${lines.slice(0, 400).join('\n')}\n`);
    const kept = records.slice(0, 400);
    assert.deepEqual(await ids(trail, { accountId: 'p-5' }), expected(kept, { accountId: 'p-5' }));
    assert.deepEqual(await ids(trail, { clientId: 'c-2', order: 'asc' }), expected(kept, { clientId: 'c-2', order: 'asc' }));
    await trail.close();
  });

  it('uses the segments on disk after a restart, and indexes a trail written without an index on its first query', async () => {
    const first = await openTrail();
    const records = makeRecords(1500, 1);
    await writeAll(first.trail, records);
    await first.trail.close();
    const before = await segmentFiles(first.dir);
    assert.ok(before.length > 5);

    const again = await openTrail(first.dir);
    const size = (await stat(dayFile(first.dir, '2026-11-20'))).size;
    assert.deepEqual(await ids(again.trail, { accountId: 'p-7', clientId: 'c-1' }), expected(records, { accountId: 'p-7', clientId: 'c-1' }));
    assert.ok(again.read.bytes < size / 2, `read ${again.read.bytes} of ${size}`);
    assert.deepEqual(await segmentFiles(first.dir), before, 'the same segments, none rebuilt');
    await again.trail.close();

    // Old data: a day file that no index has seen (as the nedb migration or an older version leaves it).
    const old = await tempDir('portcullis-audit-index-old-');
    dirs.push(old.cleanup);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(old.path, 'audit'), { mode: 0o700 });
    await writeFile(dayFile(old.path, '2026-11-20'), records.map((record) => `${JSON.stringify(record)}\n`).join(''), { mode: 0o600 });
    const legacy = await openTrail(old.path);
    assert.deepEqual(await segmentFiles(old.path), []);
    assert.deepEqual(await ids(legacy.trail, { accountId: 'p-8' }), expected(records, { accountId: 'p-8' }));
    assert.ok((await segmentFiles(old.path)).length > 5, 'segments built by the first query');
    legacy.read.bytes = 0;
    assert.deepEqual(await ids(legacy.trail, { accountId: 'p-9' }), expected(records, { accountId: 'p-9' }));
    assert.ok(legacy.read.bytes < size / 2, `the next query reads ${legacy.read.bytes} of ${size}`);
    await legacy.trail.close();
  });

  it('removes the segments of the days that retention purges, and stray temporary segments at start-up', async () => {
    const { dir, trail } = await openTrail();
    const records = makeRecords(2000, 2);
    await writeAll(trail, records);
    assert.ok((await segmentFiles(dir)).some((name) => name.startsWith('2026-11-20.')));
    const plan = await trail.planPurge(new Date(BASE + DAY_MS));
    await trail.purge(plan);
    const left = await segmentFiles(dir);
    assert.ok(left.length > 0 && left.every((name) => name.startsWith('2026-11-21.')), left.join(', '));
    const rest = records.filter((record) => record.at.getTime() >= BASE + DAY_MS);
    assert.deepEqual(await ids(trail, { accountId: 'p-1' }), expected(rest, { accountId: 'p-1' }));
    await trail.close();

    await writeFile(join(dir, 'audit', '2026-11-21.0-99.idx.tmp'), 'half written');
    const again = await openTrail(dir);
    assert.ok(!(await readdir(join(dir, 'audit'))).some((name) => name.endsWith('.tmp')));
    await again.trail.close();
  });

  it('stops index builds on close without leaving temporary files or broken segments', async () => {
    const { dir, trail } = await openTrail();
    const records = makeRecords(2000, 1);
    for (const record of records) await trail.append(record);
    await trail.close();
    assert.ok(!(await readdir(join(dir, 'audit'))).some((name) => name.endsWith('.tmp')));
    const again = await openTrail(dir);
    assert.deepEqual(await ids(again.trail, { accountId: 'p-2' }), expected(records, { accountId: 'p-2' }));
    await again.trail.close();
  });
});
