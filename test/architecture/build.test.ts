/**
 * `npm start` runs the build (`npm run build`, scripts/build.ts), not the sources: every module
 * compiled to JavaScript, every view and asset beside it, and the compiled server serves the
 * protocol and the pages as the sources do.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from '../../scripts/build.ts';
import { Browserless } from '../support/browserless.ts';
import { type ServerProcess, startServerProcess } from '../support/process.ts';
import { freePort } from '../support/server.ts';
import { tempDir } from '../support/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the build that npm start runs', () => {
  let out: string;
  let cleanup: () => Promise<void>;
  let server: ServerProcess;
  let url: string;

  before(async () => {
    const dir = await tempDir('portcullis-build-');
    cleanup = dir.cleanup;
    out = build(join(dir.path, 'dist'));
    // Packages resolve from the tree's own node_modules, as they do from the project's dist/.
    await symlink(join(ROOT, 'node_modules'), join(dir.path, 'node_modules'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = startServerProcess(
      { PORT: String(port), HOST: '127.0.0.1', ISSUER: url, DATA_DIR: join(dir.path, 'data'), LOG_LEVEL: 'info' },
      [],
      join(out, 'src', 'main.js'),
    );
    await server.waitForLog((line) => line.msg === 'portcullis listening');
  });

  after(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await cleanup?.();
  });

  it('holds one .js file for every module of src/ and every other file of src/ as it is', () => {
    const sources = files(join(ROOT, 'src'));
    const built = files(join(out, 'src'));
    const expected = sources.map((file) => (file.endsWith('.ts') ? file.replace(/\.ts$/, '.js') : file)).sort();
    assert.deepEqual(built, expected);
    assert.ok(!built.some((file) => file.endsWith('.ts')), 'nothing left for Node to strip types from');
  });

  it('serves discovery, JWKS and a page rendered from the copied views', async () => {
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    const metadata = (await discovery.json()) as { issuer: string; jwks_uri: string };
    assert.equal(metadata.issuer, url);
    const jwks = (await (await fetch(metadata.jwks_uri)).json()) as { keys: unknown[] };
    assert.ok(jwks.keys.length > 0);
    // The account console sends a signed-out visitor through its own authorization request to the sign-in page.
    const { response: page, url: at } = await new Browserless(url).follow('/account', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200, at);
    const html = await page.text();
    assert.match(html, /<form[^>]+method="post"/i);
    assert.match(html, /name="password"/);
    const stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(stylesheet, 'the page links its stylesheet');
    assert.equal((await fetch(`${url}${stylesheet}`)).status, 200, 'assets are served from the build');
  });
});
