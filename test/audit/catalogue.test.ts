/**
 * The event catalogue (src/audit/catalogue.ts) is the list of what the server can emit. This test
 * reads src/ so the list cannot rot: every type an emit site names is catalogued, every catalogued
 * type is emitted somewhere, and every emit site has a shape this test understands (a new shape
 * fails here until the test is taught to read it).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { AUDIT_EVENTS } from '../../src/audit/catalogue.ts';
import { KEY_EVENTS } from '../../src/keys/apply.ts';

const SRC = resolve(import.meta.dirname, '../../src');

function sources(dir = SRC): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [{ path: relative(SRC, path), text: readFileSync(path, 'utf8') }] : [];
  });
}

const files = sources();
const catalogued = new Set(Object.keys(AUDIT_EVENTS));
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** An emit site: any `.emit(` whose first argument is not a string (Node's EventEmitter), with what it passes. */
const EMIT = /\.emit\(\s*(?!['"`])/g;
const LITERAL = /^\{\s*type:\s*'([^']+)'/;
const KEY_CONSTANT = /^\{\s*type:\s*(?:replaced\.length \? KEY_EVENTS\.(\w+) : )?KEY_EVENTS\.(\w+)/;
/** admin/audit.ts: `admin.${change.resource}.${change.verb}`, whose pairs the compiler takes from the catalogue (AdminChange). */
const ADMIN_TEMPLATE = /^\{\s*type:\s*`admin\.\$\{change\.resource\}\.\$\{change\.verb\}`/;

function emittedTypes(): { types: Map<string, string>; unknownShapes: string[]; adminTemplate: number } {
  const types = new Map<string, string>();
  const unknownShapes: string[] = [];
  let adminTemplate = 0;
  for (const { path, text } of files) {
    for (const match of text.matchAll(EMIT)) {
      const rest = text.slice((match.index ?? 0) + match[0].length);
      const where = `${path}:${lineOf(text, match.index ?? 0)}`;
      const literal = LITERAL.exec(rest);
      const constant = KEY_CONSTANT.exec(rest);
      if (literal?.[1]) types.set(literal[1], where);
      else if (constant) {
        for (const name of [constant[1], constant[2]].filter(Boolean) as (keyof typeof KEY_EVENTS)[]) types.set(KEY_EVENTS[name], where);
      } else if (ADMIN_TEMPLATE.test(rest) && path === join('admin', 'audit.ts')) adminTemplate += 1;
      else unknownShapes.push(`${where}: ${rest.slice(0, 60).replaceAll('\n', ' ')}`);
    }
  }
  return { types, unknownShapes, adminTemplate };
}

test('every emit site in src/ has a shape the catalogue test can read', () => {
  const { unknownShapes, adminTemplate } = emittedTypes();
  assert.deepEqual(unknownShapes, [], "emit with a literal `type: '…'` (or teach test/audit/catalogue.test.ts the new shape)");
  assert.equal(adminTemplate, 1, 'admin writes are emitted from admin/audit.ts only');
});

test('every event type emitted in src/ is in the catalogue', () => {
  const { types } = emittedTypes();
  const missing = [...types].filter(([type]) => !catalogued.has(type)).map(([type, where]) => `${type} (${where})`);
  assert.deepEqual(missing, [], 'add these to src/audit/catalogue.ts with a meaning and their detail keys');
});

test('every catalogued event type is emitted somewhere in src/', () => {
  const { types } = emittedTypes();
  const admin = files.filter(({ path }) => path.startsWith('admin'));
  const unused = [...catalogued].filter((type) => {
    if (types.has(type)) return false;
    // admin.<resource>.<verb>: the resource's routes name the pair (the compiler checks it is catalogued).
    const pair = /^admin\.(\w+)\.(\w+)$/.exec(type);
    if (!pair) return true;
    const [, resource, verb] = pair;
    return !admin.some(({ text }) => text.includes(`resource: '${resource}'`) && new RegExp(`'${verb}'`).test(text));
  });
  assert.deepEqual(unused, [], 'these catalogue entries are emitted nowhere: remove them, or emit them');
});

test('every catalogue entry has a meaning and a list of detail keys without repeats', () => {
  for (const [type, entry] of Object.entries(AUDIT_EVENTS)) {
    assert.match(type, /^[a-z_]+(\.[a-z_]+)*$/, type);
    assert.ok(entry.meaning.length > 10 && entry.meaning.endsWith('.'), `${type}: one sentence`);
    assert.equal(new Set(entry.detail).size, entry.detail.length, `${type}: repeated detail key`);
  }
});
