/**
 * `node bench/audit-trail.ts`: the embedded audit trail at scale (issue 17). Writes
 * BENCH_AUDIT_RECORDS (default 1 000 000) records through a real chain (MACs and all) into the
 * NDJSON day files, spread over BENCH_AUDIT_DAYS (30) days (the index segments are built in the
 * background meanwhile), then times, each with the resident memory before/after and the event
 * loop's longest delay (perf_hooks.monitorEventLoopDelay):
 * - the index build from nothing (segments deleted, store reopened: what an upgrade or old data
 *   costs), with the bytes on disk of the segments against the day files';
 * - a filtered page (50 newest of one person's records), through the index;
 * - a filter that matches nothing on an indexed key (a person who is not there);
 * - a two-filter page (one person's login.* events);
 * - a filter that matches nothing on no indexed key (a type prefix without a dot: every day
 *   file is read, the worst case, as before the index);
 * - an NDJSON export of one type (every match, serialised as the admin API does, to a null sink);
 * - verify over the whole trail (never uses the index).
 * Prints one JSON report on stdout; progress on stderr.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { auditItem } from '../src/admin/audit-trail.ts';
import { createAuditChain } from '../src/audit/chain.ts';
import { createAuditMacs } from '../src/audit/macs.ts';
import { verifyTrail } from '../src/audit/verify.ts';
import type { EmbeddedAuditTrail } from '../src/storage/embedded/audit-trail.ts';
import { createEmbeddedStore } from '../src/storage/embedded/index.ts';
import type { AuditFilter } from '../src/storage/port.ts';

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const DAYS = Number(process.env.BENCH_AUDIT_DAYS ?? 30);
const TYPES = ['login.success', 'login.failed', 'mfa.verified', 'session.ended', 'admin.users.update', 'password.changed'];
const log = (line: string) => process.stderr.write(`bench audit: ${line}\n`);
const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

interface Figure {
  ms: number;
  matched: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  maxEventLoopDelayMs: number;
}

async function measure(run: () => Promise<number>): Promise<Figure> {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const matched = await run();
  const ms = performance.now() - started;
  delay.disable();
  return {
    ms: Math.round(ms),
    matched,
    rssBeforeMiB: mib(rssBefore),
    rssAfterMiB: mib(process.memoryUsage().rss),
    maxEventLoopDelayMs: Math.round((delay.max / 1e6) * 10) / 10,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-audit-'));
try {
  let store = await createEmbeddedStore(dir);
  const macs = createAuditMacs([randomBytes(32).toString('base64url')]);
  const chain = createAuditChain({ repo: store.audit, macs });
  const start = Date.now() - DAYS * 86_400_000;
  const step = (DAYS * 86_400_000) / RECORDS;
  log(`writing ${RECORDS} records over ${DAYS} days into ${dir}`);
  const writeStarted = performance.now();
  for (let i = 0; i < RECORDS; i += 1) {
    await chain.append({
      id: `bench-${i}`,
      type: TYPES[i % TYPES.length] as string,
      at: new Date(start + i * step),
      accountId: `person-${i % 10_000}`,
      clientId: `client-${i % 20}`,
      ip: `198.51.${(i >> 8) % 256}.${i % 256}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      actor: { kind: 'person', id: `person-${i % 10_000}` },
      outcome: i % 6 === 1 ? 'failure' : 'success',
      detail: { method: 'password', requestCount: i % 7 },
    });
    if (i > 0 && i % 200_000 === 0) log(`${i} written`);
  }
  const writeSeconds = (performance.now() - writeStarted) / 1000;
  log(`written in ${writeSeconds.toFixed(1)} s`);
  // The embedded store's trail is an EmbeddedAuditTrail; the Store port only names the repository.
  await (store.audit as EmbeddedAuditTrail).indexIdle();

  const auditDir = join(dir, 'audit');
  const sizes = async (suffix: string) => {
    let bytes = 0;
    let files = 0;
    for (const name of await readdir(auditDir)) {
      if (!name.endsWith(suffix)) continue;
      bytes += (await stat(join(auditDir, name))).size;
      files += 1;
    }
    return { files, bytes };
  };
  log('index build from nothing');
  await store.close();
  for (const name of await readdir(auditDir)) if (name.endsWith('.idx')) await unlink(join(auditDir, name));
  store = await createEmbeddedStore(dir);
  const trail = store.audit as EmbeddedAuditTrail;
  const indexBuildFigure = await measure(async () => {
    await trail.buildIndex();
    return 0;
  });
  const segments = await sizes('.idx');
  const dayFiles = await sizes('.ndjson');
  const indexBuild = {
    ...indexBuildFigure,
    segments: segments.files,
    indexMiB: mib(segments.bytes),
    dayFilesMiB: mib(dayFiles.bytes),
    indexToDayFiles: Math.round((segments.bytes / dayFiles.bytes) * 1000) / 1000,
  };

  const page = (filter: AuditFilter, limit: number) => async () => {
    let n = 0;
    for await (const _ of store.audit.query(filter)) if (++n >= limit) break;
    return n;
  };
  const exportNdjson = (filter: AuditFilter) => async () => {
    let lines = 0;
    async function* body() {
      let chunk = '';
      let count = 0;
      for await (const hit of store.audit.query(filter)) {
        chunk += `${JSON.stringify(auditItem(hit.record))}\n`;
        lines += 1;
        if (++count === 100) {
          yield chunk;
          chunk = '';
          count = 0;
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(Readable.from(body()), new Writable({ write: (_chunk, _encoding, done) => done() }));
    return lines;
  };

  log('filtered page');
  const filteredPage = await measure(page({ accountId: 'person-42' }, 50));
  log('filter matching nothing (indexed)');
  const noMatch = await measure(page({ accountId: 'nobody' }, 50));
  log('two-filter page');
  const twoFilterPage = await measure(page({ accountId: 'person-42', typePrefix: 'login.' }, 50));
  log('filter matching nothing on no indexed key (full scan)');
  const fullScan = await measure(page({ typePrefix: 'nomatch' }, 50));
  log('NDJSON export of login.failed');
  const ndjsonExport = await measure(exportNdjson({ typePrefix: 'login.failed' }));
  log('verify');
  const verify = await measure(async () => (await verifyTrail({ repo: store.audit, macs, liveHeads: () => [chain.head()] })).checked);
  await store.close();
  process.stdout.write(
    `${JSON.stringify(
      {
        records: RECORDS,
        days: DAYS,
        writeSeconds: Math.round(writeSeconds),
        recordsPerSecond: Math.round(RECORDS / writeSeconds),
        indexBuild,
        filteredPage,
        noMatch,
        twoFilterPage,
        fullScan,
        ndjsonExport,
        verify,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
