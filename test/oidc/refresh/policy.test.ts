/**
 * The pieces of refresh-token policy that need no server: the replay verdict, lifetimes, and the
 * after-write checks that keep one live token per family (on a real embedded store). Then the
 * lifetimes as a running server stores them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { bearerKey } from '../../../src/oidc/bearer-ids.ts';
import { createFamilyKeeper } from '../../../src/oidc/refresh/family.ts';
import { grantTtl, refreshTokenTtl } from '../../../src/oidc/refresh/lifetimes.ts';
import { type FamilyRecord, judgeReplay } from '../../../src/oidc/refresh/replay.ts';
import { createEmbeddedStore } from '../../../src/storage/embedded/index.ts';
import type { Store } from '../../../src/storage/port.ts';
import { signIn } from '../../support/families.ts';
import { discover } from '../../support/rp.ts';
import { startServer, type TestServer } from '../../support/server.ts';
import { tempDir } from '../../support/tmp.ts';

const record = (id: string, payload: Record<string, unknown>): FamilyRecord => ({ id, payload });

describe('replay verdict', () => {
  const t0 = 1_000_000;
  const rotated = [record('a', { consumed: 1 }), record('b', { rotatedFrom: 'a', rotatedAt: t0 })];

  it('is always reuse without a grace window', () => {
    assert.deepEqual(judgeReplay('a', rotated, 0, t0), { kind: 'reuse', reason: 'replayed' });
  });
  it('is grace within the window while the successor is unused, naming the successor', () => {
    assert.deepEqual(judgeReplay('a', rotated, 30_000, t0 + 30_000), { kind: 'grace', successorId: 'b' });
  });
  it('is reuse once the window has passed, counted from the first rotation', () => {
    assert.deepEqual(judgeReplay('a', rotated, 30_000, t0 + 30_001), { kind: 'reuse', reason: 'replayed' });
    const retried = [...rotated, record('c', { rotatedFrom: 'a', rotatedAt: t0 + 29_000 })];
    retried[1] = record('b', { rotatedFrom: 'a', rotatedAt: t0, consumed: 2 });
    assert.deepEqual(judgeReplay('a', retried, 30_000, t0 + 31_000), { kind: 'reuse', reason: 'replayed' });
  });
  it('is reuse (stale) when a successor has been used since', () => {
    const used = [
      record('a', { consumed: 1 }),
      record('b', { rotatedFrom: 'a', rotatedAt: t0, consumed: 2 }),
      record('c', { rotatedFrom: 'b', rotatedAt: t0 + 1 }),
    ];
    assert.deepEqual(judgeReplay('a', used, 30_000, t0 + 2), { kind: 'reuse', reason: 'stale' });
  });
  it('is in flight when no successor is stored yet, or the only one was just retired', () => {
    assert.deepEqual(judgeReplay('a', [record('a', { consumed: 1 })], 30_000, t0), { kind: 'in_flight' });
    const retired = [record('a', { consumed: 1 }), record('b', { rotatedFrom: 'a', rotatedAt: t0, consumed: 2 })];
    assert.deepEqual(judgeReplay('a', retired, 30_000, t0 + 1), { kind: 'in_flight' });
  });
  it('treats a missing rotation time as outside the window', () => {
    assert.deepEqual(judgeReplay('a', [record('b', { rotatedFrom: 'a' })], 30_000, t0), { kind: 'reuse', reason: 'replayed' });
  });
});

describe('refresh-token lifetimes', () => {
  const lifetimes = { idle: 3600, absolute: 86400 };
  it('gives each token the idle lifetime, so it slides with every rotation', () => {
    assert.equal(refreshTokenTtl(lifetimes, 1000, 1000), 3600);
    assert.equal(refreshTokenTtl(lifetimes, 50_000, 1000), 3600);
  });
  it('never reaches past the family end or the grant', () => {
    assert.equal(refreshTokenTtl(lifetimes, 1000 + 86400 - 60, 1000), 60);
    assert.equal(refreshTokenTtl(lifetimes, 1000, 1000, 1000 + 120), 120);
    assert.equal(refreshTokenTtl(lifetimes, 1000 + 86400, 1000), 1, 'a positive integer for oidc-provider');
  });
  it('lets the grant outlive a family begun at the end of its browser session', () => {
    assert.equal(grantTtl({ refreshTokenAbsolute: 30 * 86400, session: 14 * 86400 }), 44 * 86400);
  });
});

describe('family checks after a write', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    const dir = await tempDir();
    cleanup = dir.cleanup;
    store = await createEmbeddedStore(dir.path);
  });
  after(async () => {
    await store.close();
    await cleanup();
  });

  it('drops a rotated token whose presented token vanished meanwhile (revoked or retired)', async () => {
    const tokens = store.model('RefreshToken');
    const keeper = createFamilyKeeper(tokens, store.model('Grant'));
    await tokens.upsert('kept-parent', { grantId: 'g1' }, 60);
    await tokens.upsert('kept-child', { grantId: 'g1' }, 60);
    await keeper.afterRotation('kept-child', 'kept-parent');
    assert.ok(await tokens.find('kept-child'));
    await tokens.upsert('late-child', { grantId: 'g1' }, 60);
    await keeper.afterRotation('late-child', 'never-stored-or-revoked');
    assert.equal(await tokens.find('late-child'), undefined);
  });

  it('makes a family first token the only one of its grant, and drops it if the grant is gone', async () => {
    const tokens = store.model('RefreshToken');
    const keeper = createFamilyKeeper(tokens, store.model('Grant'));
    await store.model('Grant').upsert('g2', { accountId: 'p' }, 60);
    await tokens.upsert('old-live', { grantId: 'g2' }, 60);
    await tokens.upsert('old-used', { grantId: 'g2' }, 60);
    await tokens.consume('old-used');
    await tokens.upsert('other-grant', { grantId: 'g3' }, 60);
    await tokens.upsert('newest', { grantId: 'g2' }, 60);
    await keeper.afterFirstToken('newest', 'g2');
    assert.deepEqual(
      (await tokens.findByGrantId('g2')).map((entry) => entry.id),
      ['newest'],
    );
    assert.ok(await tokens.find('other-grant'));
    await tokens.upsert('orphan', { grantId: 'revoked-grant' }, 60);
    await keeper.afterFirstToken('orphan', 'revoked-grant');
    assert.equal(await tokens.find('orphan'), undefined);
  });
});

describe('refresh-token lifetimes as stored', () => {
  let server: TestServer;
  before(async () => {
    // An idle lifetime longer than the absolute one, so the family end is what every token hits.
    server = await startServer({ env: { REFRESH_TOKEN_TTL: '2h', REFRESH_TOKEN_ABSOLUTE_TTL: '1h', SESSION_TTL: '2h' } });
  });
  after(() => server.close());

  it('ends every token of a family at its absolute end, and keeps the grant longer', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const first = await signIn(server, web);
    const tokens = server.portcullis.store.model('RefreshToken');
    const stored = await tokens.find(bearerKey(first.refresh_token as string));
    const familyStart = stored?.iiat as number;
    assert.equal(stored?.exp, familyStart + 3600, 'REFRESH_TOKEN_ABSOLUTE_TTL, not the 2h idle lifetime');
    const rotated = await tokens.find(bearerKey((await oidc.refreshTokenGrant(web, first.refresh_token as string)).refresh_token as string));
    assert.equal(rotated?.iiat, familyStart, 'the family start travels with each rotation');
    assert.equal(rotated?.exp, familyStart + 3600, 'rotation does not move the family end');
    const grant = await server.portcullis.store.model('Grant').find(stored?.grantId as string);
    // The grant is saved at sign-in, up to a second before the family's first token.
    assert.ok((grant?.iat as number) <= familyStart);
    assert.ok((grant?.exp as number) >= (grant?.iat as number) + 3600 + 7200, 'absolute family lifetime + SESSION_TTL');
    assert.ok((grant?.exp as number) > (rotated?.exp as number) + 3600, 'the grant outlives any family of its session');
  });
});
