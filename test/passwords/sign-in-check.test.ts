/**
 * The two halves of the sign-in breach check (passwords/sign-in-check.ts) with a frozen clock and
 * a scripted lookup: when a lookup happens, what a verdict carries, and what `settle` writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSignInBreachCheck, SIGN_IN_RECHECK_MS } from '../../src/passwords/sign-in-check.ts';
import type { BreachVerdict } from '../../src/passwords/types.ts';
import type { AccountPatch, AccountRecord } from '../../src/storage/port.ts';

const NOW = 1_800_000_000_000;

function setup(answer: BreachVerdict, options: { enabled?: boolean; account?: Partial<AccountRecord> } = {}) {
  const lookups: string[] = [];
  const events: Array<{ type: string; accountId?: string | undefined; detail?: unknown }> = [];
  let account: AccountRecord = {
    id: 'p1',
    username: 'pat',
    roles: [],
    status: 'active',
    passwordHash: '$argon2id$stand-in',
    passwordChangedAt: new Date(NOW - 86_400_000 * 30),
    createdAt: new Date(NOW - 86_400_000 * 60),
    updatedAt: new Date(NOW - 86_400_000 * 30),
    ...options.account,
  };
  const check = createSignInBreachCheck({
    breach: {
      enabled: options.enabled ?? true,
      async lookup(password) {
        lookups.push(password);
        return answer;
      },
    },
    accounts: {
      findById: async () => account,
      update: async (_id: string, patch: AccountPatch) => {
        account = { ...account, ...patch };
        return account;
      },
    },
    audit: {
      emit: (event) => {
        events.push(event);
        return { id: 'e', at: new Date(NOW), type: event.type };
      },
    },
    now: () => NOW,
  });
  return { check, lookups, events, account: () => account };
}

describe('the sign-in breach check', () => {
  it('a breached verdict carries no password and marks the account only when settled', async () => {
    const { check, lookups, events, account } = setup('breached');
    const verdict = await check.judge(account(), 'the password');
    assert.deepEqual(lookups, ['the password']);
    assert.deepEqual(verdict, { breached: true, checkedAt: NOW, passwordChangedAt: account().passwordChangedAt.getTime() });
    assert.equal(account().passwordCompromisedAt, undefined, 'judging writes nothing');
    assert.deepEqual(await check.settle('p1', verdict), { compromised: true });
    assert.equal(account().passwordCompromisedAt?.getTime(), NOW);
    assert.equal(account().passwordCheckedAt?.getTime(), NOW);
    assert.deepEqual(events, [{ type: 'password.compromised', accountId: 'p1' }]);
  });

  it('looks up at most once a day, and not at all for an account already marked (even with the check off)', async () => {
    const recent = setup('breached', { account: { passwordCheckedAt: new Date(NOW - SIGN_IN_RECHECK_MS + 60_000) } });
    assert.equal(await recent.check.judge(recent.account(), 'x'), undefined);
    assert.deepEqual(recent.lookups, []);
    const stale = setup('clean', { account: { passwordCheckedAt: new Date(NOW - SIGN_IN_RECHECK_MS) } });
    assert.equal((await stale.check.judge(stale.account(), 'x'))?.breached, false);
    assert.deepEqual(stale.lookups, ['x']);
    const marked = setup('clean', { enabled: false, account: { passwordCompromisedAt: new Date(NOW - 1000) } });
    assert.equal((await marked.check.judge(marked.account(), 'x'))?.breached, true);
    assert.deepEqual(marked.lookups, []);
    const off = setup('breached', { enabled: false });
    assert.equal(await off.check.judge(off.account(), 'x'), undefined);
    assert.deepEqual(off.lookups, []);
  });

  it('an unavailable API gives no verdict (fail open) and records nothing', async () => {
    const { check, account } = setup('unavailable');
    const verdict = await check.judge(account(), 'x');
    assert.equal(verdict, undefined);
    assert.deepEqual(await check.settle('p1', verdict), { compromised: false });
    assert.equal(account().passwordCheckedAt, undefined);
  });

  it('a verdict about a password replaced since (a reset in between) is void', async () => {
    const { check, account, events } = setup('breached');
    const verdict = await check.judge(account(), 'x');
    await check.settle('p1', undefined);
    const replaced = setup('breached', { account: { passwordChangedAt: new Date(NOW - 1000) } });
    assert.deepEqual(await replaced.check.settle('p1', verdict), { compromised: false });
    assert.equal(replaced.account().passwordCompromisedAt, undefined);
    assert.deepEqual(events, []);
  });
});
