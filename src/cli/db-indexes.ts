/**
 * `portcullis db:indexes`: creates the MongoDB indexes listed in storage/mongo/indexes.ts.
 * Run it once per deployment before the new version starts (docker-compose.yml does, as the
 * one-shot `indexes` service). It is safe to run again: present indexes are left alone.
 */
import { isStorageUnavailable } from '../storage/errors.ts';
import { openConnection } from '../storage/mongo/connection.ts';
import { describeIndex, ensureIndexes, IndexConflictError } from '../storage/mongo/index-sync.ts';
import { type Command, EXIT } from './run.ts';

export const dbIndexes: Command = {
  summary: 'create the MongoDB indexes (run before starting a new version)',
  async run(_args, { config, out, err }) {
    const uri = config().mongodbUri;
    if (!uri) {
      err('db:indexes: MONGODB_URI is not set; this command prepares the MongoDB backend only');
      return EXIT.failed;
    }
    let connection: Awaited<ReturnType<typeof openConnection>> | undefined;
    try {
      // No socket timeout: building an index on a large collection can take minutes.
      connection = await openConnection(uri, { overrides: { socketTimeoutMS: 0 } });
      const { created, present, dropped } = await ensureIndexes(connection);
      for (const name of dropped) out(`dropped  ${name} (retired)`);
      for (const index of created) out(`created  ${describeIndex(index)}`);
      out(`${created.length} created, ${present.length} already present`);
      return EXIT.ok;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof IndexConflictError) err(`db:indexes: ${message}`);
      else if (isStorageUnavailable(error)) err(`db:indexes: cannot reach MongoDB (${message}); is it running?`);
      else err(`db:indexes failed: ${message}`);
      return EXIT.failed;
    } finally {
      await connection?.close();
    }
  },
};
