/**
 * Makes a person's sign-in older without waiting: moves `loginTs` (what oidc-provider reports as
 * `auth_time` and judges `max_age` by) of every stored issuer session of the account back by
 * `seconds`. The provider and the console both read it from the store on the next request, so
 * the two agree that the sign-in happened that long ago; nothing else about the session changes.
 */
import type { TestServer } from './server.ts';

export async function ageSignIn(server: TestServer, accountId: string, seconds: number): Promise<void> {
  const sessions = server.portcullis.store.model('Session');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const found = await sessions.findByAccountId(accountId);
  if (found.length === 0) throw new Error(`no stored session of ${accountId}`);
  for (const { id, payload } of found) {
    const loginTs = payload.loginTs;
    if (typeof loginTs !== 'number') throw new Error('a session without loginTs');
    const left = typeof payload.exp === 'number' ? payload.exp - nowSeconds : 3600;
    await sessions.upsert(id, { ...payload, loginTs: loginTs - seconds }, left);
  }
}
