/**
 * Comparing the wanted indexes (indexes.ts) with what a database has, and creating the missing
 * ones. The comparison is a pure function; only missingIndexes/ensureIndexes talk to the server.
 */
import type { Connection } from 'mongoose';
import { INDEXES, type IndexDefinition, RETIRED_INDEXES } from './indexes.ts';

/** The fields of a listIndexes entry that we compare. */
export interface ExistingIndex {
  name: string;
  key: Record<string, unknown>;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Record<string, unknown>;
}

export interface IndexProblem {
  index: IndexDefinition;
  /** `absent`: nothing in its place. `different`: an index with its name or key has other options. */
  reason: 'absent' | 'different';
  /** For `different`: the name of the index that is in the way. */
  existingName?: string;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Key order matters in a compound index, so keys are compared as ordered entries. */
function sameKey(wanted: IndexDefinition, existing: ExistingIndex): boolean {
  return sameJson(Object.entries(wanted.key), Object.entries(existing.key));
}

function sameSpec(wanted: IndexDefinition, existing: ExistingIndex): boolean {
  return (
    sameKey(wanted, existing) &&
    Boolean(wanted.unique) === Boolean(existing.unique) &&
    !existing.sparse &&
    wanted.expireAfterSeconds === existing.expireAfterSeconds &&
    sameJson(wanted.partialFilterExpression, existing.partialFilterExpression)
  );
}

export function findIndexProblems(wanted: readonly IndexDefinition[], existing: ReadonlyMap<string, readonly ExistingIndex[]>): IndexProblem[] {
  const problems: IndexProblem[] = [];
  for (const index of wanted) {
    const present = existing.get(index.collection) ?? [];
    // An equivalent index under another name serves queries just as well.
    if (present.some((candidate) => sameSpec(index, candidate))) continue;
    const inTheWay = present.find((candidate) => candidate.name === index.name || sameKey(index, candidate));
    problems.push(inTheWay ? { index, reason: 'different', existingName: inTheWay.name } : { index, reason: 'absent' });
  }
  return problems;
}

/** `oidc_session.payload.uid_1 (unique, partial)`: how operators see an index in messages. */
export function describeIndex(index: IndexDefinition): string {
  const traits = [
    index.unique ? 'unique' : undefined,
    index.partialFilterExpression ? 'partial' : undefined,
    index.expireAfterSeconds !== undefined ? `ttl ${index.expireAfterSeconds}s` : undefined,
  ].filter(Boolean);
  return `${index.collection}.${index.name}${traits.length ? ` (${traits.join(', ')})` : ''}`;
}

/** MongoDB's NamespaceNotFound: listIndexes on a collection that does not exist yet. */
const NAMESPACE_NOT_FOUND = 26;

async function listExisting(connection: Connection, collection: string): Promise<ExistingIndex[]> {
  try {
    return (await connection.collection(collection).listIndexes().toArray()) as ExistingIndex[];
  } catch (error) {
    if ((error as { code?: unknown }).code === NAMESPACE_NOT_FOUND) return [];
    throw error;
  }
}

export async function missingIndexes(connection: Connection, wanted: readonly IndexDefinition[] = INDEXES): Promise<IndexProblem[]> {
  const existing = new Map<string, ExistingIndex[]>();
  for (const collection of new Set(wanted.map((index) => index.collection))) {
    existing.set(collection, await listExisting(connection, collection));
  }
  return findIndexProblems(wanted, existing);
}

export class IndexConflictError extends Error {
  override name = 'IndexConflictError';
  readonly problems: IndexProblem[];
  constructor(problems: IndexProblem[]) {
    const lines = problems.map(
      ({ index, existingName }) =>
        `${describeIndex(index)}: index "${existingName}" on ${index.collection} has other options; ` +
        `check it, drop it (db.${index.collection}.dropIndex("${existingName}")) and run db:indexes again`,
    );
    super(`conflicting indexes, nothing was changed:\n  ${lines.join('\n  ')}`);
    this.problems = problems;
  }
}

/**
 * Creates every absent index; refuses, before creating anything, if an index with other options
 * is in the way (dropping an operator's index is a decision for a person). Safe to run again and
 * from two places at once: creating an index that now exists with the same options is a no-op.
 */
export async function ensureIndexes(
  connection: Connection,
  wanted: readonly IndexDefinition[] = INDEXES,
  retired: readonly Pick<IndexDefinition, 'collection' | 'name' | 'key'>[] = RETIRED_INDEXES,
): Promise<{ created: IndexDefinition[]; present: IndexDefinition[]; dropped: string[] }> {
  const dropped = await dropRetired(connection, retired);
  const problems = await missingIndexes(connection, wanted);
  const conflicts = problems.filter((problem) => problem.reason === 'different');
  if (conflicts.length > 0) throw new IndexConflictError(conflicts);
  const created = problems.map((problem) => problem.index);
  for (const collection of new Set(created.map((index) => index.collection))) {
    const descriptions = created.filter((index) => index.collection === collection).map(({ collection: _collection, ...description }) => description);
    await connection.collection(collection).createIndexes(descriptions);
  }
  return { created, present: wanted.filter((index) => !created.includes(index)), dropped };
}

/** Drops each retired index of ours still there, matched by name and exact key. */
async function dropRetired(connection: Connection, retired: readonly Pick<IndexDefinition, 'collection' | 'name' | 'key'>[]): Promise<string[]> {
  const dropped: string[] = [];
  for (const index of retired) {
    const present = await listExisting(connection, index.collection);
    if (!present.some((candidate) => candidate.name === index.name && sameJson(Object.entries(candidate.key), Object.entries(index.key)))) continue;
    await connection.collection(index.collection).dropIndex(index.name);
    dropped.push(`${index.collection}.${index.name}`);
  }
  return dropped;
}
