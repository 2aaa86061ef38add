/**
 * The strength estimate: zxcvbn (@zxcvbn-ts) with its English and common dictionaries and keyboard
 * graphs, plus the person's own words (username, email and its local part, name) as known words.
 *
 * Only the first 100 characters are scored: zxcvbn's matching grows much faster than linearly with
 * length, and sign-up and reset reach it without authentication; 100 characters of a password that
 * is not weak in its first 100 are not made weak by what follows.
 *
 * Building the estimator reads ~1 MB of word lists (about 0.4 s) and importing them holds ~34 MiB
 * resident, so the libraries are imported on the first password judged (platform/lazy.ts), never
 * at start-up: a server that only signs people in never loads them. Built once per process and
 * shared: it holds no state beyond those lists.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { lazy } from '../platform/lazy.ts';

export const SCORED_CHARACTERS = 100;

const estimator = lazy(async (): Promise<ZxcvbnFactory> => {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
});

/** The words that make a password guessable for this person in particular. */
export function personalWords(owner: { username: string; email?: string | undefined; name?: string | undefined }): string[] {
  const words = [owner.username];
  if (owner.email) words.push(owner.email, owner.email.split('@')[0] ?? '');
  if (owner.name) words.push(owner.name, ...owner.name.split(/\s+/));
  return words.filter((word) => word.length > 0);
}

/** zxcvbn's score, 0 (guessable) to 4 (very hard to guess), of the first 100 code points. */
export async function strengthScore(password: string, words: string[]): Promise<number> {
  const scored = [...password].slice(0, SCORED_CHARACTERS).join('');
  return (await estimator()).check(scored, words).score;
}
