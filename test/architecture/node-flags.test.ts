/**
 * One runtime everywhere: the Node.js flags of `npm start` are the Dockerfile's, the test suite's
 * and the benchmark's (scripts/node-flags.ts), so what the tests prove holds for the process an
 * operator runs.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SHIPPED_ENTRY, shippedNodeFlags } from '../../scripts/node-flags.ts';

const flags = shippedNodeFlags();

test('npm start runs Node with AsyncLocalStorage on async context frames (no promise hook per promise)', () => {
  assert.ok(flags.includes('--experimental-async-context-frame'), `npm start flags: ${flags.join(' ')}`);
});

test('the Dockerfile starts the server with the same flags as npm start', () => {
  const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(JSON.parse(cmd), ['node', ...flags, SHIPPED_ENTRY]);
});

test('npm test and npm run test:bench run on those flags, and this test process has them', () => {
  const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  for (const name of ['test', 'test:bench']) assert.ok(scripts[name]?.startsWith(`node ${flags.join(' ')} --test `), `${name}: ${scripts[name]}`);
  for (const flag of flags) assert.ok(process.execArgv.includes(flag), `this process runs without ${flag}: ${process.execArgv.join(' ')}`);
});

test('a context opened with run() reaches every await below it, and none outside', async () => {
  const storage = new AsyncLocalStorage<string>();
  const seen: Array<string | undefined> = [];
  await storage.run('request', async () => {
    await null;
    seen.push(storage.getStore());
    await new Promise((resolve) => setTimeout(resolve, 1));
    seen.push(storage.getStore());
    await Promise.all([1, 2].map(async () => seen.push(storage.getStore())));
  });
  seen.push(storage.getStore());
  assert.deepEqual(seen, ['request', 'request', 'request', 'request', undefined]);
});
