/**
 * Page rendering with the production cache: a page is read from disk once, and rendering it again,
 * partials included, touches the file system not at all (ejs resolves a relative include with an
 * existsSync on every render; ours are written from the views root).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { Context } from 'koa';
import { createRenderer } from '../../src/views/render.ts';

function fakeContext(): Context & { body: unknown } {
  return {} as Context & { body: unknown };
}

test('a cached page and its partials render again without a file-system call', async (t) => {
  const render = createRenderer(true);
  const first = fakeContext();
  await render(first, 'message', { title: 'Signed out', message: 'You are signed out.' });
  assert.match(String(first.body), /<title>Signed out · Portcullis<\/title>/, 'the head partial is in');
  assert.match(String(first.body), /You are signed out\./);

  const exists = t.mock.method(fs, 'existsSync');
  const readFile = t.mock.method(fs, 'readFileSync');
  const again = fakeContext();
  await render(again, 'message', { title: 'Signed out', message: 'Again.' });
  assert.match(String(again.body), /Again\./);
  assert.equal(exists.mock.callCount(), 0, 'no existsSync per include');
  assert.equal(readFile.mock.callCount(), 0, 'no template read again');
});
