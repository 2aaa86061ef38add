/**
 * docs/audit-events.md, rendered from the catalogue (catalogue.ts) and the rules that decide what
 * is stored (stored-events.ts), the default actor (actor.ts) and the outcome (outcome.ts): one row
 * per type in catalogue order. `node scripts/audit-events-doc.ts` writes it;
 * test/audit/catalogue-doc.test.ts fails when the file is stale.
 */
import { AUDIT_EVENTS, type EventEntry } from './catalogue.ts';
import { outcomeOf } from './outcome.ts';
import { isStoredEvent } from './stored-events.ts';

const HEADER = `# Audit events

<!-- Generated from src/audit/catalogue.ts by \`node scripts/audit-events-doc.ts\`; edit the catalogue, not this file. -->

Every security event is one record: \`id\`, \`at\`, \`type\`, \`actor\` (\`{kind, id}\`), \`accountId\` (the
subject), \`clientId\`, \`ip\`, \`userAgent\` (at most 256 characters), \`requestId\`, \`outcome\` and
\`detail\`. Every event is logged (channel \`audit\`); the **stored** column says which ones the audit
trail also keeps. \`detail\` carries only the keys listed here: the audit bus drops any other key,
and cuts any value that looks like a secret (a word of 16 or more characters mixing letters and
digits, or upper and lower case at random) to its first 8 characters.

**Actor**, unless the emit site names one: inside an admin API request, the authenticated caller
(\`{kind:"admin", id:<token sub>}\` or \`{kind:"operator"}\`); outside any request (timers, background
jobs), \`{kind:"system"}\`; otherwise by the type's rule —
*person*: the account the event is about (for a failed sign-in, the identity claimed);
*anonymous*: \`{kind:"person"}\` without an id (anyone can cause it); *token*: the person whose
grant it is, else the client; *system*: the server itself (timers, policies); *admin*: only the
authenticated admin caller (none before authentication).

**Outcome**, unless the emit site says: \`failure\` for types ending in \`.failed\`, \`_failed\`,
\`.error\`, \`.refused\`, \`_refused\`, \`.reuse_detected\`, \`.locked\`, \`.throttled\`, and for
\`password.compromised\`; \`success\` otherwise. A reset request that sent no mail is a failure.

| type | meaning | stored | actor | outcome | detail keys |
|---|---|---|---|---|---|
`;

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function storage(type: string): string {
  const withAccount = isStoredEvent({ id: '', at: new Date(0), type, accountId: 'someone' });
  const without = isStoredEvent({ id: '', at: new Date(0), type });
  if (withAccount && without) return 'stored';
  if (withAccount) return type === 'token.failed' ? 'when it names an account, or a known client failed to authenticate' : 'when it names an account';
  return 'log only';
}

export function auditEventsDoc(): string {
  const rows = Object.entries(AUDIT_EVENTS as Record<string, EventEntry>).map(([type, entry]) => {
    const keys = entry.detail.length ? entry.detail.map((key) => `\`${key}\``).join(', ') : '—';
    return `| \`${type}\` | ${cell(entry.meaning)} | ${storage(type)} | ${entry.actor ?? 'person'} | ${outcomeOf(type)} | ${keys} |`;
  });
  return `${HEADER}${rows.join('\n')}\n`;
}
