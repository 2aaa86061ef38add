/**
 * The two scripts passkey pages load, served from the issuer's own origin (CSP `script-src
 * 'self'`, no CDN): @simplewebauthn/browser's UMD bundle as /assets/webauthn.js, and our glue
 * (assets/passkeys.js). Read once at start-up; cached by browsers for an hour like the CSS.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ASSETS_DIR } from './render.ts';

// The package exports only its ESM entry; the bundle sits beside it (dist/bundle/ next to esm/).
const BUNDLE = fileURLToPath(new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser')));

/** [path, body] of each script, for the composition root's asset router. */
export async function scriptAssets(): Promise<Array<[string, Buffer]>> {
  return [
    ['/assets/webauthn.js', await readFile(BUNDLE)],
    ['/assets/passkeys.js', await readFile(`${ASSETS_DIR}passkeys.js`)],
  ];
}
