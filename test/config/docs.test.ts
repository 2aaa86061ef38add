/**
 * The configuration has one source: the schema. docs/configuration.md is generated from it, so it
 * names every variable the server reads, with the default the schema applies.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { configurationDoc } from '../../src/config/docs.ts';
import { VARIABLES } from '../../src/config/schema.ts';

test('docs/configuration.md is what the schema generates (run npm run docs:config)', () => {
  const onDisk = readFileSync(resolve(import.meta.dirname, '../../docs/configuration.md'), 'utf8');
  assert.equal(onDisk, configurationDoc());
});

test('every variable has a sentence and a shown default', () => {
  for (const [name, entry] of Object.entries(VARIABLES)) {
    assert.ok(entry.doc.length > 5, name);
    assert.ok(entry.shown.length > 0, name);
  }
});

test('no module outside src/config reads process.env', async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const src = resolve(import.meta.dirname, '../../src');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = resolve(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.startsWith(resolve(src, 'config')) && /process\.env\b/.test(readFileSync(path, 'utf8')))
        offenders.push(path.slice(src.length + 1));
    }
  };
  walk(src);
  assert.deepEqual(offenders, []);
});
