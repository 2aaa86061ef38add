/**
 * The Node.js flags Portcullis runs with, read from `npm start` in package.json (the one place
 * they are written; the Dockerfile repeats them and test/architecture/node-flags.test.ts keeps the
 * two equal). Processes started by the tests and by the benchmark get them too, so both see the
 * runtime an operator runs.
 */
import { readFileSync } from 'node:fs';

const PACKAGE = new URL('../package.json', import.meta.url);

/** The words of `npm start` between `node` and the script it runs. */
export function shippedNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(PACKAGE, 'utf8')) as { scripts: Record<string, string> };
  const words = (scripts.start ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`npm start: expected "node [flags] src/main.ts", got "${scripts.start}"`);
  return words.slice(1, -1);
}
