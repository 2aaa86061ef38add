/** Reads what test/support/module-recorder.ts wrote: the packages a process has loaded so far. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const MODULE_RECORDER = fileURLToPath(new URL('./module-recorder.ts', import.meta.url));

export async function loadedPackages(file: string): Promise<Set<string>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return new Set(text.split('\n').filter(Boolean));
}
