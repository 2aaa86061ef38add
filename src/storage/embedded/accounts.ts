/** Accounts on nedb: unique indexes on the normalised username and email. */

import { literalPrefix } from '../pattern.ts';
import { type AccountRecord, type AccountRepository, DuplicateError } from '../port.ts';
import { type Collection, isUniqueViolation } from './datastore.ts';
import { copyDocument, type Db } from './nedb.ts';

type AccountDocument = Omit<AccountRecord, 'id'> & { _id: string };

function toRecord(doc: AccountDocument | null): AccountRecord | undefined {
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

/** What nedb keeps per unique index: the stored documents with that value. */
interface UniqueIndex {
  getMatching(value: string): AccountDocument[];
}

export async function createAccountRepository(collection: Collection): Promise<AccountRepository> {
  await collection.ensureIndexAsync({ fieldName: 'username', unique: true });
  await collection.ensureIndexAsync({ fieldName: 'email', unique: true, sparse: true });
  const db = collection as unknown as Db<AccountDocument>;
  /*
   * Reads by id and by username look in nedb's unique index directly. findOneAsync would queue
   * behind the datastore's executor and run a cursor over the candidates before copying the match:
   * most of the cost of every userinfo request (its findAccount) and a good part of a sign-in.
   * nedb never changes a stored document in place (an update stores a modified copy and swaps it
   * into each index in one step), so a document read here is always whole; as with the token
   * tables (model-table.ts), a change is visible from the moment it is applied in memory.
   */
  // nedb makes its index objects when it loads the file (collections are loaded once, before this
  // runs: datastore.ts) or ensures an index; inserts, updates and compaction work in those same
  // objects. So they are looked up once, at start, where a datastore without them is refused.
  const index = (field: '_id' | 'username') => {
    const found = db.indexes[field] as UniqueIndex | undefined;
    if (typeof found?.getMatching !== 'function') throw new Error(`accounts: the datastore has no ${field} index to read from`);
    return found;
  };
  const byId = index('_id');
  const byUsername = index('username');
  const stored = (by: UniqueIndex, value: string): AccountRecord | undefined => {
    if (typeof value !== 'string') return undefined;
    const [doc] = by.getMatching(value);
    return doc && toRecord(copyDocument(doc));
  };

  async function duplicateOf(candidate: Partial<AccountRecord>, selfId?: string): Promise<DuplicateError> {
    const byName = candidate.username ? await db.findOneAsync({ username: candidate.username }) : null;
    if (byName && byName._id !== selfId) return new DuplicateError('username');
    return new DuplicateError('email');
  }

  return {
    async create(account) {
      const { id, ...rest } = account;
      try {
        await db.insertAsync({ _id: id, ...rest });
      } catch (error) {
        if (isUniqueViolation(error)) throw await duplicateOf(account);
        throw error;
      }
    },
    findById: async (id) => stored(byId, id),
    findByUsername: async (username) => stored(byUsername, username),
    async update(id, patch) {
      const set: Record<string, unknown> = {};
      const unset: Record<string, true> = {};
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) unset[key] = true;
        else set[key] = value;
      }
      const update = Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set };
      try {
        const { affectedDocuments } = await db.updateAsync({ _id: id }, update, { returnUpdatedDocs: true });
        return toRecord(affectedDocuments as AccountDocument | null);
      } catch (error) {
        if (isUniqueViolation(error)) throw await duplicateOf(patch, id);
        throw error;
      }
    },
    async list() {
      const docs = await db.findAsync({}).sort({ username: 1 });
      return docs.map((doc) => toRecord(doc) as AccountRecord);
    },
    async search(query) {
      // Literal prefix: the query text is escaped so it never acts as a pattern.
      const prefix = query.q ? literalPrefix(query.q) : undefined;
      const filter: Record<string, unknown> = {
        deletedAt: { $exists: false },
        ...(query.after !== undefined ? { username: { $gt: query.after } } : {}),
        ...(prefix ? { $or: [{ username: { $regex: prefix } }, { email: { $regex: prefix } }] } : {}),
        ...(query.role !== undefined ? { roles: query.role } : {}),
        ...(query.adminRole !== undefined ? { adminRoles: query.adminRole } : {}),
        ...(query.disabled !== undefined ? { status: query.disabled ? 'disabled' : 'active' } : {}),
      };
      const docs = await db.findAsync(filter).sort({ username: 1 }).limit(query.limit);
      return docs.map((doc) => toRecord(doc) as AccountRecord);
    },
    async countHolders(adminRole) {
      return db.countAsync({ deletedAt: { $exists: false }, status: 'active', adminRoles: adminRole });
    },
    async purge(id) {
      return (await db.removeAsync({ _id: id }, {})) === 1;
    },
  };
}
