/**
 * The storage contract: every backend must pass this suite unchanged.
 * `runStorageContract(name, factory)` registers the tests; the factory returns a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createChallenges } from '../../src/mfa/passkeys/challenges.ts';
import { createPasskeyRepository } from '../../src/mfa/passkeys/credentials.ts';
import type { PasskeyRecord } from '../../src/mfa/passkeys/types.ts';
import { type AccountRecord, AuditCursorError, DuplicateError, type OutboxRecord, type Store } from '../../src/storage/port.ts';

export type StoreFactory = () => Promise<Store>;

function account(username: string, email?: string): AccountRecord {
  const now = new Date();
  return {
    id: randomUUID(),
    username,
    ...(email ? { email } : {}),
    roles: ['user'],
    status: 'active',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA',
    passwordChangedAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

export function runStorageContract(name: string, factory: StoreFactory): void {
  describe(`storage contract: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await factory();
    });
    after(async () => {
      await store?.close();
    });

    describe('oidc-provider models', () => {
      it('upserts and finds a payload, keeping keys with dots intact', async () => {
        const model = store.model('Session');
        const payload = { uid: 'u-1', accountId: 'acc-1', authorizations: { 'app.example.com': { sid: 's' } } };
        await model.upsert('s-1', payload, 60);
        assert.deepEqual(await model.find('s-1'), payload);
        assert.deepEqual(await model.findByUid('u-1'), payload);
        assert.equal(await model.find('missing'), undefined);
      });

      it('replaces on upsert and finds by user code', async () => {
        const model = store.model('DeviceCode');
        await model.upsert('d-1', { userCode: 'ABCD-EFGH', grantId: 'g-9' }, 60);
        await model.upsert('d-1', { userCode: 'ABCD-EFGH', grantId: 'g-9', accountId: 'a' }, 60);
        assert.deepEqual(await model.findByUserCode('ABCD-EFGH'), { userCode: 'ABCD-EFGH', grantId: 'g-9', accountId: 'a' });
        assert.equal(await model.findByUserCode('NOPE-NOPE'), undefined);
      });

      it('does not return expired records', async () => {
        const model = store.model('AccessToken');
        await model.upsert('expiring', { grantId: 'g-exp' }, 1);
        assert.ok(await model.find('expiring'));
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(await model.find('expiring'), undefined);
      });

      it('keeps records without expiry', async () => {
        const model = store.model('Client');
        await model.upsert('client-1', { client_id: 'client-1' });
        assert.deepEqual(await model.find('client-1'), { client_id: 'client-1' });
      });

      it('destroys one record', async () => {
        const model = store.model('Interaction');
        await model.upsert('i-1', { uid: 'i-1' }, 60);
        await model.destroy('i-1');
        assert.equal(await model.find('i-1'), undefined);
      });

      it('revokes every record of a grant and nothing else', async () => {
        const tokens = store.model('AccessToken');
        const refresh = store.model('RefreshToken');
        await tokens.upsert('at-1', { grantId: 'g-1' }, 60);
        await tokens.upsert('at-2', { grantId: 'g-1' }, 60);
        await tokens.upsert('at-3', { grantId: 'g-2' }, 60);
        await refresh.upsert('rt-1', { grantId: 'g-1' }, 60);
        await tokens.revokeByGrantId('g-1');
        await refresh.revokeByGrantId('g-1');
        assert.equal(await tokens.find('at-1'), undefined);
        assert.equal(await tokens.find('at-2'), undefined);
        assert.equal(await refresh.find('rt-1'), undefined);
        assert.deepEqual(await tokens.find('at-3'), { grantId: 'g-2' });
      });

      it('finds sessions and grants by account', async () => {
        const grants = store.model('Grant');
        await grants.upsert('gr-1', { accountId: 'person-1' }, 60);
        await grants.upsert('gr-2', { accountId: 'person-1' }, 60);
        await grants.upsert('gr-3', { accountId: 'person-2' }, 60);
        const found = await grants.findByAccountId('person-1');
        assert.deepEqual(found.map((entry) => entry.id).sort(), ['gr-1', 'gr-2']);
      });

      it('keeps a millisecond timestamp in a payload exactly (a refresh family’s start, refresh/password-change.ts)', async () => {
        const refresh = store.model('RefreshToken');
        const began = Date.UTC(2026, 11, 1, 20, 0, 0, 123);
        await refresh.upsert('ms-1', { grantId: 'g-ms', accountId: 'p', iiat: Math.floor(began / 1000), familyBeganAt: began }, 60);
        assert.equal((await refresh.find('ms-1'))?.familyBeganAt, began);
        assert.equal((await refresh.findByGrantId('g-ms'))[0]?.payload.familyBeganAt, began);
      });

      it('finds the records of one grant, consumed ones included', async () => {
        const refresh = store.model('RefreshToken');
        await refresh.upsert('fam-1', { grantId: 'g-fam', accountId: 'p' }, 60);
        await refresh.upsert('fam-2', { grantId: 'g-fam', accountId: 'p' }, 60);
        await refresh.upsert('fam-3', { grantId: 'g-other', accountId: 'p' }, 60);
        assert.equal(await refresh.consume('fam-1'), true);
        const found = await refresh.findByGrantId('g-fam');
        assert.deepEqual(found.map((entry) => entry.id).sort(), ['fam-1', 'fam-2']);
        assert.equal(typeof found.find((entry) => entry.id === 'fam-1')?.payload.consumed, 'number');
        assert.deepEqual(await refresh.findByGrantId('g-none'), []);
      });

      it('consumes once and shows the mark on find', async () => {
        const codes = store.model('AuthorizationCode');
        await codes.upsert('code-1', { grantId: 'g-c' }, 60);
        assert.equal(await codes.consume('code-1'), true);
        assert.equal(await codes.consume('code-1'), false);
        const found = await codes.find('code-1');
        assert.equal(typeof found?.consumed, 'number');
        assert.equal(await codes.consume('never-stored'), false);
      });

      it('keeps the consumed mark when the payload is saved again without it', async () => {
        const codes = store.model('RefreshToken');
        await codes.upsert('rt-keep', { grantId: 'g-k' }, 60);
        assert.equal(await codes.consume('rt-keep'), true);
        await codes.upsert('rt-keep', { grantId: 'g-k', extra: 1 }, 60);
        assert.equal(await codes.consume('rt-keep'), false);
      });

      it('lets exactly one of 50 concurrent consumers win', async () => {
        const codes = store.model('AuthorizationCode');
        await codes.upsert('race', { grantId: 'g-race' }, 60);
        const results = await Promise.all(Array.from({ length: 50 }, () => codes.consume('race')));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(results.filter((won) => !won).length, 49);
      });
    });

    describe('accounts', () => {
      it('creates, finds by id and username, lists', async () => {
        const alice = account('alice', 'alice@example.com');
        await store.accounts.create(alice);
        assert.equal((await store.accounts.findById(alice.id))?.username, 'alice');
        assert.equal((await store.accounts.findByUsername('alice'))?.id, alice.id);
        assert.equal(await store.accounts.findByUsername('nobody'), undefined);
        assert.ok((await store.accounts.list()).some((entry) => entry.id === alice.id));
      });

      it('refuses a duplicate username or email with DuplicateError naming the field', async () => {
        await store.accounts.create(account('bob', 'bob@example.com'));
        await assert.rejects(store.accounts.create(account('bob', 'other@example.com')), (error: unknown) => {
          assert.ok(error instanceof DuplicateError);
          assert.equal(error.field, 'username');
          return true;
        });
        await assert.rejects(store.accounts.create(account('bobby', 'bob@example.com')), (error: unknown) => {
          assert.ok(error instanceof DuplicateError);
          assert.equal(error.field, 'email');
          return true;
        });
        assert.equal(await store.accounts.findByUsername('bobby'), undefined);
      });

      it('allows many accounts without email', async () => {
        await store.accounts.create(account('no-mail-1'));
        await store.accounts.create(account('no-mail-2'));
      });

      it('keeps passwordChangedAt to the millisecond through an update (refresh families are compared with it)', async () => {
        const dora = account('dora-changes');
        await store.accounts.create(dora);
        const changed = new Date(Date.UTC(2026, 11, 1, 20, 0, 0, 457));
        await store.accounts.update(dora.id, { passwordHash: dora.passwordHash, passwordChangedAt: changed, updatedAt: changed });
        const found = await store.accounts.findById(dora.id);
        assert.ok(found?.passwordChangedAt instanceof Date);
        assert.equal(found?.passwordChangedAt.getTime(), changed.getTime());
      });

      it('updates fields and returns the new record', async () => {
        const carol = account('carol');
        await store.accounts.create(carol);
        const updated = await store.accounts.update(carol.id, { status: 'disabled', roles: ['admin'] });
        assert.equal(updated?.status, 'disabled');
        assert.deepEqual(updated?.roles, ['admin']);
        assert.equal(await store.accounts.update('missing', { status: 'active' }), undefined);
        await assert.rejects(store.accounts.update(carol.id, { username: 'alice' }), DuplicateError);
      });

      it('hands each reader its own record: changing one read back changes nothing stored, and a change is read back at once', async () => {
        const gale = { ...account('gale-copies', 'gale@copies.example'), adminRoles: ['auditor'] };
        await store.accounts.create(gale);
        const first = await store.accounts.findById(gale.id);
        assert.ok(first);
        first.roles.push('admin');
        first.adminRoles?.push('owner');
        first.status = 'disabled';
        const byName = await store.accounts.findByUsername('gale-copies');
        assert.deepEqual(byName?.roles, ['user']);
        assert.deepEqual(byName?.adminRoles, ['auditor']);
        assert.equal(byName?.status, 'active');
        assert.deepEqual(Object.keys(byName ?? {})[0], 'id');
        await store.accounts.update(gale.id, { roles: ['user', 'editor'], name: 'Gale' });
        const after = await store.accounts.findById(gale.id);
        assert.deepEqual(after?.roles, ['user', 'editor']);
        assert.equal(after?.name, 'Gale');
        assert.equal(after?.email, 'gale@copies.example');
        await store.accounts.update(gale.id, { username: 'gale-renamed' });
        assert.equal(await store.accounts.findByUsername('gale-copies'), undefined);
        assert.equal((await store.accounts.findByUsername('gale-renamed'))?.id, gale.id);
      });

      it('searches by literal username or email prefix, role, admin role and status, ordered by username, without soft-deleted people', async () => {
        const make = async (username: string, extra: Partial<AccountRecord> = {}) => {
          const record = { ...account(username, `${username}@search.example`), ...extra };
          await store.accounts.create(record);
          return record;
        };
        await make('srch-b', { roles: ['staff'], adminRoles: ['helpdesk'] });
        await make('srch-a', { status: 'disabled' });
        await make('srch-c', { deletedAt: new Date(), adminRoles: ['admin'] });
        await make('srch-d', { adminRoles: ['admin'] });
        await make('srch.x');
        const names = async (query: Parameters<Store['accounts']['search']>[0]) => (await store.accounts.search(query)).map((entry) => entry.username);
        assert.deepEqual(await names({ q: 'srch-', limit: 10 }), ['srch-a', 'srch-b', 'srch-d']);
        assert.deepEqual(await names({ q: 'srch-d@search', limit: 10 }), ['srch-d']);
        // Pattern characters are literal: '.' matches only a dot, '.*' matches nothing.
        assert.deepEqual(await names({ q: 'srch.', limit: 10 }), ['srch.x']);
        assert.deepEqual(await names({ q: '.*', limit: 10 }), []);
        assert.deepEqual(await names({ q: 'srch', role: 'staff', limit: 10 }), ['srch-b']);
        assert.deepEqual(await names({ q: 'srch', adminRole: 'helpdesk', limit: 10 }), ['srch-b']);
        assert.deepEqual(await names({ q: 'srch-', disabled: true, limit: 10 }), ['srch-a']);
        assert.deepEqual(await names({ q: 'srch-', disabled: false, limit: 10 }), ['srch-b', 'srch-d']);
        assert.deepEqual(await names({ q: 'srch-', limit: 2 }), ['srch-a', 'srch-b']);
        assert.deepEqual(await names({ q: 'srch-', after: 'srch-b', limit: 2 }), ['srch-d']);
      });

      it('counts only enabled, non-deleted holders of an admin role', async () => {
        const before = await store.accounts.countHolders('cnt-role');
        await store.accounts.create({ ...account('cnt-1'), adminRoles: ['cnt-role'] });
        await store.accounts.create({ ...account('cnt-2'), adminRoles: ['cnt-role'], status: 'disabled' });
        await store.accounts.create({ ...account('cnt-3'), adminRoles: ['cnt-role'], deletedAt: new Date() });
        await store.accounts.create({ ...account('cnt-4'), adminRoles: ['other'] });
        assert.equal(await store.accounts.countHolders('cnt-role'), before + 1);
      });

      it('purges a record for good: gone by id, username and email free again', async () => {
        const erin = account('erin-purged', 'erin@purge.example');
        await store.accounts.create(erin);
        assert.equal(await store.accounts.purge(erin.id), true);
        assert.equal(await store.accounts.findById(erin.id), undefined);
        assert.equal(await store.accounts.findByUsername('erin-purged'), undefined);
        assert.equal(await store.accounts.purge(erin.id), false);
        await store.accounts.create(account('erin-purged', 'erin@purge.example'));
      });
    });

    describe('signing keys', () => {
      it('inserts, lists and transitions only from the expected state', async () => {
        await store.keys.insert({
          kid: 'k-1',
          alg: 'ES256',
          state: 'next',
          publicJwk: { kty: 'EC', kid: 'k-1' },
          sealedPrivateJwk: 'sealed',
          createdAt: new Date(),
        });
        assert.equal(await store.keys.transition('k-1', 'current', { state: 'previous' }), false);
        assert.equal(await store.keys.transition('k-1', 'next', { state: 'current' }), true);
        const [key] = (await store.keys.list()).filter((entry) => entry.kid === 'k-1');
        assert.equal(key?.state, 'current');
        assert.ok(key?.createdAt instanceof Date);
      });
    });

    describe('audit events', () => {
      it('appends and lists newest first, filtered', async () => {
        const base = Date.now();
        for (let i = 0; i < 3; i += 1) {
          await store.audit.append({ id: randomUUID(), type: 'login.failed', at: new Date(base + i), accountId: 'p-a' });
        }
        await store.audit.append({ id: randomUUID(), type: 'login.success', at: new Date(base + 10), accountId: 'p-b' });
        const failed = await store.audit.list({ type: 'login.failed', limit: 2 });
        assert.equal(failed.length, 2);
        assert.ok((failed[0]?.at.getTime() ?? 0) > (failed[1]?.at.getTime() ?? 0));
        assert.equal((await store.audit.list({ accountId: 'p-b' })).length, 1);
      });

      it('plans a purge of what was written before the cut-off, naming the last record of each chain, then deletes it', async () => {
        const day = 86_400_000;
        const now = Date.now();
        const at = (days: number) => new Date(now - days * day);
        const chained = (id: string, days: number, chain: string, seq: number) =>
          store.audit.append({
            id,
            type: 'purge.test',
            at: at(days),
            chain,
            seq,
            prev: seq === 1 ? '' : `mac-${chain}-${seq - 1}`,
            mac: `mac-${chain}-${seq}`,
          });
        await chained('purge-a1', 10, 'purge-a', 1);
        await chained('purge-a2', 9, 'purge-a', 2);
        await chained('purge-a3', 1, 'purge-a', 3);
        await chained('purge-b1', 8, 'purge-b', 1);
        await store.audit.append({ id: 'purge-legacy', type: 'purge.test', at: at(12) });
        const plan = await store.audit.planPurge(at(5));
        assert.equal(plan.count, 4);
        assert.deepEqual(
          [...plan.marks].sort((x, y) => x.chain.localeCompare(y.chain)),
          [
            { chain: 'purge-a', seq: 2, mac: 'mac-purge-a-2' },
            { chain: 'purge-b', seq: 1, mac: 'mac-purge-b-1' },
          ],
        );
        assert.equal((await store.audit.list({ type: 'purge.test' })).length, 5, 'planning deletes nothing');
        assert.equal(await store.audit.purge(plan), 4);
        assert.deepEqual(
          (await store.audit.list({ type: 'purge.test' })).map((event) => event.id),
          ['purge-a3'],
        );
      });

      it("scrubs a person's personal fields from their records and keeps id, type, time and account", async () => {
        const at = new Date();
        await store.audit.append({
          id: 'scrub-1',
          type: 'login.failed',
          at,
          accountId: 'scrub-p',
          ip: '192.0.2.7',
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
          personalMac: 'kept',
          mac: 'kept-too',
          detail: { username: 'zed', email: 'zed@example.com', reason: 'x' },
        });
        await store.audit.append({ id: 'scrub-2', type: 'login.failed', at, accountId: 'scrub-other', ip: '192.0.2.8', detail: { username: 'yan' } });
        await store.audit.scrubAccount('scrub-p');
        const [scrubbed] = await store.audit.list({ accountId: 'scrub-p' });
        assert.equal(scrubbed?.id, 'scrub-1');
        assert.equal(scrubbed?.type, 'login.failed');
        assert.equal(scrubbed?.at.getTime(), at.getTime());
        assert.equal(scrubbed?.ip, undefined);
        assert.equal(scrubbed?.userAgent, undefined);
        assert.deepEqual(scrubbed?.detail, { reason: 'x' });
        assert.equal(scrubbed?.personalMac, 'kept', 'the MAC of the personal fields stays, so the chain still verifies');
        assert.equal(scrubbed?.mac, 'kept-too');
        const [untouched] = await store.audit.list({ accountId: 'scrub-other' });
        assert.deepEqual(untouched?.detail, { username: 'yan' });
        assert.equal(untouched?.ip, '192.0.2.8');
      });
    });

    describe('audit query', () => {
      const base = Date.parse('2026-11-20T12:00:00.000Z');
      const minute = 60_000;
      const seeded: Array<{ id: string; at: Date }> = [];
      before(async () => {
        // 30 records over 30 minutes: types, subjects, actors, clients and IPs in a pattern.
        for (let i = 0; i < 30; i += 1) {
          const record = {
            id: `q-${String(i).padStart(2, '0')}`,
            type: i % 3 === 0 ? 'qlogin.success' : i % 3 === 1 ? 'qlogin.failed' : 'qadmin.users.update',
            at: new Date(base + i * minute),
            accountId: `q-person-${i % 2}`,
            clientId: i % 5 === 0 ? 'q-client' : 'q-other',
            ip: i % 4 === 0 ? '192.0.2.44' : '198.51.100.7',
            actor: { kind: i % 3 === 2 ? ('admin' as const) : ('person' as const), id: i % 3 === 2 ? 'q-admin' : `q-person-${i % 2}` },
          };
          await store.audit.append(record);
          seeded.push(record);
        }
      });

      async function all(filter: Parameters<Store['audit']['query']>[0]): Promise<string[]> {
        const ids: string[] = [];
        for await (const hit of store.audit.query(filter)) if (hit.record.id.startsWith('q-')) ids.push(hit.record.id);
        return ids;
      }
      const expected = (keep: (i: number) => boolean, order: 'asc' | 'desc' = 'desc') => {
        const ids = seeded.filter((_, i) => keep(i)).map((record) => record.id);
        return order === 'desc' ? ids.reverse() : ids;
      };

      it('filters by type prefix, subject, actor, client and ip, newest first', async () => {
        assert.deepEqual(
          await all({ typePrefix: 'qlogin.' }),
          expected((i) => i % 3 !== 2),
        );
        assert.deepEqual(
          await all({ typePrefix: 'qlogin.f' }),
          expected((i) => i % 3 === 1),
        );
        assert.deepEqual(
          await all({ typePrefix: 'qlogin.', accountId: 'q-person-1' }),
          expected((i) => i % 3 !== 2 && i % 2 === 1),
        );
        assert.deepEqual(
          await all({ actorId: 'q-admin' }),
          expected((i) => i % 3 === 2),
        );
        assert.deepEqual(
          await all({ clientId: 'q-client' }),
          expected((i) => i % 5 === 0),
        );
        assert.deepEqual(
          await all({ ip: '192.0.2.44', typePrefix: 'q' }),
          expected((i) => i % 4 === 0),
        );
        assert.deepEqual(await all({ typePrefix: 'q.' }), [], 'a prefix is literal, not a pattern');
      });

      it('keeps since inclusive and until exclusive, and orders oldest first on request', async () => {
        const since = new Date(base + 10 * minute);
        const until = new Date(base + 20 * minute);
        assert.deepEqual(
          await all({ typePrefix: 'q', since, until }),
          expected((i) => i >= 10 && i < 20),
        );
        assert.deepEqual(
          await all({ typePrefix: 'q', since, until, order: 'asc' }),
          expected((i) => i >= 10 && i < 20, 'asc'),
        );
      });

      it('pages with cursors in both orders, with no repeats and no gaps, and a new record appears after the last cursor', async () => {
        for (const order of ['desc', 'asc'] as const) {
          const pages: string[][] = [];
          let after: string | undefined;
          for (;;) {
            const page: string[] = [];
            let last: string | undefined;
            for await (const hit of store.audit.query({ typePrefix: 'qlogin.', order, after })) {
              page.push(hit.record.id);
              last = hit.cursor;
              if (page.length === 7) break;
            }
            if (page.length === 0) break;
            pages.push(page);
            after = last;
          }
          assert.deepEqual(
            pages.flat(),
            expected((i) => i % 3 !== 2, order),
            order,
          );
          assert.equal(pages.length, 3, order);
          if (order === 'asc') {
            await store.audit.append({ id: 'q-late', type: 'qlogin.success', at: new Date(base + 31 * minute), accountId: 'q-person-0' });
            const tail: string[] = [];
            for await (const hit of store.audit.query({ typePrefix: 'qlogin.', order, after })) tail.push(hit.record.id);
            assert.deepEqual(tail, ['q-late'], 'tail picks up what was written after its cursor');
          }
        }
      });

      it('refuses a cursor it did not give out', async () => {
        await assert.rejects(async () => {
          for await (const _ of store.audit.query({ after: 'bm90LWEtY3Vyc29y' })) break;
        }, AuditCursorError);
      });
    });

    describe('mfa factors', () => {
      it('advances a TOTP step only forwards, one winner per step', async () => {
        await store.mfa.insert({ id: 'f-1', accountId: 'm-1', type: 'totp', sealedSecret: 's', createdAt: new Date() });
        const results = await Promise.all(Array.from({ length: 20 }, () => store.mfa.advanceTotpStep('f-1', 100)));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal(await store.mfa.advanceTotpStep('f-1', 99), false);
        assert.equal(await store.mfa.advanceTotpStep('f-1', 101), true);
      });

      it('uses a backup code once', async () => {
        await store.mfa.insert({ id: 'f-2', accountId: 'm-1', type: 'backup_codes', codeHashes: ['h1', 'h2'], createdAt: new Date() });
        const results = await Promise.all(Array.from({ length: 20 }, () => store.mfa.useBackupCode('f-2', 'h1')));
        assert.equal(results.filter(Boolean).length, 1);
        const [factor] = (await store.mfa.listByAccount('m-1')).filter((entry) => entry.id === 'f-2');
        assert.deepEqual(factor?.codeHashes, ['h2']);
        await store.mfa.remove('f-2');
        assert.equal((await store.mfa.listByAccount('m-1')).length, 1);
      });
    });

    describe('passkeys', () => {
      const passkey = (id: string, accountId: string, createdAt: number): PasskeyRecord => ({
        id,
        accountId,
        publicKey: 'pQECAyYgASFYIA',
        signCount: 0,
        aaguid: '00000000-0000-0000-0000-000000000000',
        transports: ['internal'],
        backupEligible: false,
        backupState: false,
        attested: false,
        name: 'laptop',
        createdAt,
      });

      it('finds a passkey by credential id and lists a person’s passkeys, oldest first', async () => {
        const repo = createPasskeyRepository(store.model('Passkey'));
        const long = 'A'.repeat(1364);
        await repo.insert(passkey('cred-b-0123456789', 'acc-pk', 2));
        await repo.insert(passkey(long, 'acc-pk', 1));
        await repo.insert(passkey('cred-other-012345', 'acc-other', 3));
        assert.equal((await repo.find('cred-b-0123456789'))?.accountId, 'acc-pk');
        assert.deepEqual(
          (await repo.listByAccount('acc-pk')).map((record) => record.id),
          [long, 'cred-b-0123456789'],
        );
        await repo.update({ ...((await repo.find(long)) as PasskeyRecord), signCount: 7, lastUsedAt: 9 });
        assert.equal((await repo.find(long))?.signCount, 7);
        await repo.remove(long);
        assert.equal(await repo.find(long), undefined);
        assert.equal(await repo.find('missing-credential'), undefined);
      });

      it('of 20 callers taking one ceremony challenge, exactly one wins', async () => {
        const challenges = createChallenges(store.model('PasskeyChallenge'));
        const challenge = await challenges.issue('register', { kind: 'session', id: 's-1' }, 'acc-pk');
        const taken = await Promise.all(Array.from({ length: 20 }, () => challenges.take(challenge)));
        assert.equal(taken.filter((record) => record?.accountId === 'acc-pk').length, 1);
        assert.equal(taken.filter((record) => record === undefined).length, 19);
      });
    });

    describe('mail outbox', () => {
      const row = (id: string, overrides: Partial<OutboxRecord> = {}): OutboxRecord => ({
        id,
        to: `${id}@mail.example`,
        template: 'password-set',
        data: { who: 'Zoë', 'dotted.key': 'kept', $dollar: 1 },
        attempts: 0,
        nextAttemptAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
        createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
        ...overrides,
      });
      const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes, 0));

      it('keeps a row as written and lists the due ones, soonest first', async () => {
        await store.outbox.insert(row('ob-later', { nextAttemptAt: at(5) }));
        await store.outbox.insert(row('ob-first', { nextAttemptAt: at(1), sealedLink: 'v1.sealed', accountId: 'acc-ob', expiresAt: at(30) }));
        await store.outbox.insert(row('ob-future', { nextAttemptAt: at(60) }));
        const due = await store.outbox.due(at(10), 10);
        assert.deepEqual(
          due.filter((entry) => entry.id.startsWith('ob-')).map((entry) => entry.id),
          ['ob-first', 'ob-later'],
        );
        const first = due.find((entry) => entry.id === 'ob-first');
        assert.deepEqual(first, row('ob-first', { nextAttemptAt: at(1), sealedLink: 'v1.sealed', accountId: 'acc-ob', expiresAt: at(30) }));
        assert.equal((await store.outbox.due(at(10), 1)).length, 1);
        for (const id of ['ob-later', 'ob-first', 'ob-future']) await store.outbox.delete(id);
        assert.deepEqual(
          (await store.outbox.list()).filter((entry) => entry.id.startsWith('ob-')),
          [],
        );
      });

      it('lets exactly one of 20 concurrent claims of a due row win, counting one attempt', async () => {
        await store.outbox.insert(row('ob-race', { nextAttemptAt: at(0) }));
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.outbox.claim('ob-race', at(1), at(6), `claim-${i}`)));
        const winners = results.filter((entry) => entry !== undefined);
        assert.equal(winners.length, 1);
        assert.equal(winners[0]?.attempts, 1);
        assert.equal(winners[0]?.nextAttemptAt.getTime(), at(6).getTime());
        // The lease holds the row until it runs out; then it is due again, with its attempts kept.
        assert.equal(await store.outbox.claim('ob-race', at(5), at(10), 'late'), undefined);
        assert.equal(
          (await store.outbox.due(at(5), 100)).some((entry) => entry.id === 'ob-race'),
          false,
        );
        const again = await store.outbox.claim('ob-race', at(6), at(11), 'after-lease');
        assert.equal(again?.attempts, 2);
        await store.outbox.delete('ob-race');
        assert.equal(await store.outbox.claim('ob-race', at(20), at(25), 'gone'), undefined);
      });

      it('reschedules only for the claim that holds the row', async () => {
        await store.outbox.insert(row('ob-resched', { nextAttemptAt: at(0) }));
        const claimed = await store.outbox.claim('ob-resched', at(0), at(5), 'mine');
        assert.ok(claimed);
        assert.equal(await store.outbox.reschedule('ob-resched', 'someone-else', at(2)), false);
        assert.equal(await store.outbox.reschedule('ob-resched', 'mine', at(3)), true);
        const [found] = (await store.outbox.list()).filter((entry) => entry.id === 'ob-resched');
        assert.equal(found?.nextAttemptAt.getTime(), at(3).getTime());
        assert.equal(found?.attempts, 1);
        await store.outbox.delete('ob-resched');
      });

      it('purges rows whose link has expired, and keeps rows without an expiry', async () => {
        await store.outbox.insert(row('ob-expired', { expiresAt: at(10) }));
        await store.outbox.insert(row('ob-live', { expiresAt: at(40) }));
        await store.outbox.insert(row('ob-notice'));
        assert.equal(await store.outbox.purgeExpired(at(10)), 1);
        const left = (await store.outbox.list()).map((entry) => entry.id).filter((id) => id.startsWith('ob-'));
        assert.deepEqual(left.sort(), ['ob-live', 'ob-notice']);
        await store.outbox.delete('ob-live');
        await store.outbox.delete('ob-notice');
      });

      it('deletes every row about one person at erasure, and no one else’s', async () => {
        await store.outbox.insert(row('ob-erased-1', { accountId: 'acc-erased' }));
        await store.outbox.insert(row('ob-erased-2', { accountId: 'acc-erased', sealedLink: 'v1.sealed', expiresAt: at(30) }));
        await store.outbox.insert(row('ob-kept', { accountId: 'acc-kept' }));
        assert.equal(await store.outbox.deleteByAccount('acc-erased'), 2);
        const left = (await store.outbox.list()).map((entry) => entry.id).filter((id) => id.startsWith('ob-'));
        assert.deepEqual(left, ['ob-kept']);
        await store.outbox.delete('ob-kept');
      });
    });

    describe('records and locks', () => {
      it('puts, gets, lists and deletes', async () => {
        await store.records.put('resource', 'https://api.example.com', { scopes: ['read'] });
        assert.deepEqual(await store.records.get('resource', 'https://api.example.com'), { scopes: ['read'] });
        assert.equal((await store.records.list('resource')).length, 1);
        await store.records.delete('resource', 'https://api.example.com');
        assert.equal(await store.records.get('resource', 'https://api.example.com'), undefined);
      });

      it('grants a lock to one holder at a time', async () => {
        const results = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => store.records.tryLock('rotation', holder, 30)));
        assert.equal(results.filter(Boolean).length, 1);
        const winner = ['a', 'b', 'c', 'd'][results.indexOf(true)] as string;
        assert.equal(await store.records.tryLock('rotation', winner, 30), true);
        await store.records.unlock('rotation', winner);
        assert.equal(await store.records.tryLock('rotation', 'e', 30), true);
      });
    });
  });
}
