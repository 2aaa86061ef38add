/** Writes docs/audit-events.md from the audit event catalogue (see src/audit/catalogue-doc.ts). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { auditEventsDoc } from '../src/audit/catalogue-doc.ts';

const target = resolve(import.meta.dirname, '../docs/audit-events.md');
writeFileSync(target, auditEventsDoc());
console.log(`wrote ${target}`);
