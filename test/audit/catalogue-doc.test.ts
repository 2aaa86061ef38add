/** docs/audit-events.md is what the catalogue generates, so operators read the list the server enforces. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { AUDIT_EVENTS } from '../../src/audit/catalogue.ts';
import { auditEventsDoc } from '../../src/audit/catalogue-doc.ts';

test('docs/audit-events.md is what the catalogue generates (run node scripts/audit-events-doc.ts)', () => {
  const onDisk = readFileSync(resolve(import.meta.dirname, '../../docs/audit-events.md'), 'utf8');
  assert.equal(onDisk, auditEventsDoc());
});

test('the document has one row per catalogued type and says which are stored', () => {
  const doc = auditEventsDoc();
  for (const type of Object.keys(AUDIT_EVENTS)) assert.ok(doc.includes(`| \`${type}\` |`), type);
  assert.match(doc, /\| `token\.issued` \|[^\n]*\| log only \|/);
  assert.match(doc, /\| `login\.failed` \|[^\n]*\| when it names an account \|/);
  assert.match(doc, /\| `key\.rotated` \|[^\n]*\| stored \| system \| success \|/);
});
