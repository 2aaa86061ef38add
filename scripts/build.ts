/**
 * `npm run build`: the JavaScript that `npm start`, the Docker image and `npm run bench` run.
 * tsc emits `src/`, `bench/` and `scripts/` into `dist/` (same layout, `.ts` imports rewritten to
 * `.js`), then every file of `src/` that is not TypeScript (views, assets) is copied beside it.
 * Running the sources directly works too (the tests do), but Node strips types with a WebAssembly
 * compiler whose optimised code and compile memory stay in the process: about 30 MiB of resident
 * memory for the ~280 modules of the server (docs/benchmarks.md).
 *
 *   node scripts/build.ts [--out-dir <dir>]    (default: dist/ of the project)
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Builds into `outDir` (emptied first) and returns it. */
export function build(outDir = join(ROOT, 'dist')): string {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT, stdio: 'inherit' });
  // Views and assets beside the emitted modules (tsc made every folder that holds a module).
  cpSync(join(ROOT, 'src'), join(outDir, 'src'), { recursive: true, filter: (source) => !source.endsWith('.ts') });
  return outDir;
}

if (import.meta.main) {
  const at = process.argv.indexOf('--out-dir');
  build(at > 0 ? resolve(process.argv[at + 1] ?? '') : undefined);
}
