/**
 * oidc-provider finds a client on every token, introspection and userinfo request: it reads the
 * record, and to tell whether the Client it built last time still fits, hashes the record's JSON
 * (sha256) and looks the digest up. On the embedded store the record also has to be parsed and its
 * secret put back (sealed-clients.ts) before that. Where the store can say that a record has not
 * changed (ModelStore.revision), this keeps the Client found for each revision and answers with it,
 * which is the instance oidc-provider's own cache would have answered with. Any write to the record
 * gives it a new revision, so the next find builds afresh; without revisions (MongoDB) every find
 * goes to oidc-provider as before.
 */
import type Provider from 'oidc-provider';

type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

/** Clients remembered per provider instance: more than the clients of any one deployment's hot set. */
const REMEMBERED = 1000;

export function rememberClients(provider: Provider, revision: (id: string) => object | undefined): void {
  const Client = provider.Client;
  const find = Client.find.bind(Client);
  const remembered = new Map<string, { revision: object; client: Client }>();
  Client.find = async (id: string) => {
    const before = typeof id === 'string' ? revision(id) : undefined;
    // No stored record (a static client, an unknown id, a metadata-document URL): oidc-provider decides.
    if (before === undefined) return find(id);
    const known = remembered.get(id);
    if (known?.revision === before) return known.client;
    const client = await find(id);
    // Kept only if the record did not change while it was read and built.
    if (client && revision(id) === before) {
      if (remembered.size >= REMEMBERED) remembered.clear();
      remembered.set(id, { revision: before, client });
    }
    return client;
  };
}
