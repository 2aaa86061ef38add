/** A person is mailed when a passkey is added to or removed from their account (mail/factor-notices.ts), not twice on an admin's reset. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createAuditBus } from '../../src/audit/bus.ts';
import { subscribeFactorNotices } from '../../src/mail/factor-notices.ts';
import type { AccountRecord } from '../../src/storage/port.ts';

it('mails a notice when a passkey is added or removed, and none for an admin’s reset', async () => {
  const audit = createAuditBus(() => undefined);
  const sent: Array<{ kind: string; factors: unknown }> = [];
  const account = { id: 'acc-1', username: 'bob' } as AccountRecord;
  subscribeFactorNotices(audit, {
    findAccount: async (id) => (id === account.id ? account : undefined),
    notify: async (_account, kind, extra) => void sent.push({ kind, factors: extra?.data?.factors }),
  });
  audit.emit({ type: 'passkey.registered', accountId: 'acc-1', detail: { method: 'passkey', credential: 'abcdefgh' } });
  audit.emit({ type: 'passkey.removed', accountId: 'acc-1', detail: { method: 'passkey', credential: 'abcdefgh' } });
  audit.emit({ type: 'passkey.removed', accountId: 'acc-1', detail: { method: 'passkey', credential: 'abcdefgh', by: 'admin' } });
  await audit.flush();
  assert.deepEqual(sent, [
    { kind: 'factor_added', factors: ['a passkey'] },
    { kind: 'factor_removed', factors: ['a passkey'] },
  ]);
});
