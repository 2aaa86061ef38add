/**
 * The two scripts passkey pages load, served from the issuer's own origin (CSP `script-src
 * 'self'`, no CDN): @simplewebauthn/browser's UMD bundle as /assets/webauthn.js, and our glue
 * (assets/passkeys.js). Read once at start-up; cached by browsers for an hour like the CSS.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type Router from '@koa/router';
import { ASSETS_DIR } from './render.ts';

// The package exports only its ESM entry; the bundle sits beside it (dist/bundle/ next to esm/).
const BUNDLE = fileURLToPath(new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser')));

export async function mountScripts(router: Router): Promise<void> {
  const scripts = new Map([
    ['/assets/webauthn.js', await readFile(BUNDLE)],
    ['/assets/passkeys.js', await readFile(`${ASSETS_DIR}passkeys.js`)],
  ]);
  for (const [path, body] of scripts) {
    router.get(path, (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = body;
    });
  }
}
