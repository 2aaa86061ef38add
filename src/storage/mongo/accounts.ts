/**
 * Accounts on MongoDB: `{ _id: id, ...record }`. Uniqueness of username and email is enforced
 * by the unique indexes in indexes.ts, so two concurrent sign-ups cannot both win.
 */
import type { Collection, mongo } from 'mongoose';
import { literalPrefix } from '../pattern.ts';
import type { AccountRecord, AccountRepository } from '../port.ts';
import { toPatchUpdate } from './documents.ts';
import { toDuplicateError } from './duplicates.ts';

export type AccountDocument = Omit<AccountRecord, 'id'> & { _id: string };

const UNIQUE_FIELDS = ['username', 'email'] as const;

function toRecord(doc: AccountDocument | null): AccountRecord | undefined {
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

export function createAccountRepository(collection: Collection<AccountDocument>): AccountRepository {
  return {
    async create(account) {
      const { id, ...rest } = account;
      try {
        await collection.insertOne({ _id: id, ...rest });
      } catch (error) {
        throw toDuplicateError(error, UNIQUE_FIELDS);
      }
    },
    async findById(id) {
      return toRecord(await collection.findOne({ _id: id }));
    },
    async findByUsername(username) {
      // $eq: the username comes from a login form; it must never act as an operator.
      return toRecord(await collection.findOne({ username: { $eq: username } }));
    },
    async update(id, patch) {
      const { id: _ignored, ...fields } = patch as AccountPatchWithId;
      const update = toPatchUpdate(fields);
      if (!update) return toRecord(await collection.findOne({ _id: id }));
      try {
        return toRecord(await collection.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' }));
      } catch (error) {
        throw toDuplicateError(error, UNIQUE_FIELDS);
      }
    },
    async list() {
      const docs = await collection.find({}).sort({ username: 1 }).toArray();
      return docs.map((doc) => toRecord(doc) as AccountRecord);
    },
    async search(query) {
      // Every value from the request goes in as $eq or as an escaped, anchored pattern: it can
      // never act as an operator or a regular expression.
      const prefix = query.q ? literalPrefix(query.q) : undefined;
      const filter: mongo.Filter<AccountDocument> = {
        deletedAt: { $exists: false },
        ...(query.after !== undefined ? { username: { $gt: String(query.after) } } : {}),
        ...(prefix ? { $or: [{ username: { $regex: prefix } }, { email: { $regex: prefix } }] } : {}),
        ...(query.role !== undefined ? { roles: { $eq: String(query.role) } } : {}),
        ...(query.adminRole !== undefined ? { adminRoles: { $eq: String(query.adminRole) } } : {}),
        ...(query.disabled !== undefined ? { status: { $eq: query.disabled ? 'disabled' : 'active' } } : {}),
      };
      const docs = await collection.find(filter).sort({ username: 1 }).limit(query.limit).toArray();
      return docs.map((doc) => toRecord(doc) as AccountRecord);
    },
    async countHolders(adminRole) {
      return collection.countDocuments({ deletedAt: { $exists: false }, status: { $eq: 'active' }, adminRoles: { $eq: adminRole } });
    },
    async purge(id) {
      const { deletedCount } = await collection.deleteOne({ _id: { $eq: id } });
      return deletedCount === 1;
    },
  };
}

/** The type forbids `id` in a patch; a caller passing a whole record at run time must not move `_id`. */
type AccountPatchWithId = Record<string, unknown> & { id?: unknown };
