/**
 * Loaded with `node --import` into a server process: appends the name of every npm package the
 * process loads (once each, as it is first loaded) to the file named by MODULE_RECORD, so a test
 * can ask which libraries a process holds at a given moment. Uses node:module's synchronous
 * loader hooks, which see static imports, dynamic import() and require() alike.
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env.MODULE_RECORD;
if (!file) throw new Error('module-recorder: set MODULE_RECORD to the file to write');
const PACKAGE = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//;
const seen = new Set<string>();

registerHooks({
  load(url, context, nextLoad) {
    const name = PACKAGE.exec(url)?.[1];
    if (name && !seen.has(name)) {
      seen.add(name);
      appendFileSync(file, `${name}\n`);
    }
    return nextLoad(url, context);
  },
});
