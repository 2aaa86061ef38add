/**
 * The Node.js flags Portcullis runs with, read from `npm start` in package.json (the one place
 * they are written; the Dockerfile repeats them and test/architecture/node-flags.test.ts keeps the
 * two equal). Processes started by the tests and by the benchmark get them too, so both see the
 * runtime an operator runs.
 */
import { readFileSync } from 'node:fs';

// This module also runs compiled, as dist/scripts/node-flags.js (npm run bench), one level deeper.
const PACKAGE = new URL(import.meta.url.endsWith('.js') ? '../../package.json' : '../package.json', import.meta.url);

/** What `npm start` runs: the compiled server (`npm run build`, which `npm start` runs first). */
export const SHIPPED_ENTRY = 'dist/src/main.js';

/** The words of `npm start` between `node` and the script it runs. */
export function shippedNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(PACKAGE, 'utf8')) as { scripts: Record<string, string> };
  const words = (scripts.start ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node' || words.at(-1) !== SHIPPED_ENTRY) throw new Error(`npm start: expected "node [flags] ${SHIPPED_ENTRY}", got "${scripts.start}"`);
  return words.slice(1, -1);
}
