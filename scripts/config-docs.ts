/** Writes docs/configuration.md from the configuration schema (see src/config/docs.ts). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configurationDoc } from '../src/config/docs.ts';

const target = resolve(import.meta.dirname, '../docs/configuration.md');
writeFileSync(target, configurationDoc());
console.log(`wrote ${target}`);
