/**
 * `--metadata-file <path>` (or `-` for stdin): a JSON object of fields the flags do not cover, for
 * clients (RFC 7591 metadata) and resources; flags given beside it win.
 */
import { readFile } from 'node:fs/promises';
import { CommandError, UsageError } from './run.ts';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk.toString();
  return text;
}

export async function readMetadata(path: string | undefined, usage: string): Promise<Record<string, unknown>> {
  if (path === undefined) return {};
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new CommandError(`cannot read --metadata-file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`--metadata-file ${path} is not JSON`, usage);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--metadata-file ${path} must hold a JSON object`, usage);
  return value as Record<string, unknown>;
}
