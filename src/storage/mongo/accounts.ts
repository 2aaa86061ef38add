/**
 * Accounts on MongoDB: `{ _id: id, ...record }`. Uniqueness of username and email is enforced
 * by the unique indexes in indexes.ts, so two concurrent sign-ups cannot both win.
 */
import type { Collection } from 'mongoose';
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
  };
}

/** The type forbids `id` in a patch; a caller passing a whole record at run time must not move `_id`. */
type AccountPatchWithId = Record<string, unknown> & { id?: unknown };
