/**
 * TRUST_PROXY=true behind one proxy (audit t6): the proxy appends the address it saw to whatever
 * X-Forwarded-For the client sent, so only the rightmost entry is the client. A guesser who rotates
 * the leftmost entry must not get a new sign-in budget for each made-up address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditEvents } from '../support/families.ts';
import { openLoginForm } from '../support/login-form.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  users: ['dave', 'erin'].map((username) => ({ username, email: `${username}@example.com`, roles: ['user'], password: PASSWORD })),
};

/** Ten wrong passwords for one person from one form; `forwardedFor(i)` is the header of the i-th. */
async function tenWrongPasswords(server: TestServer, username: string, forwardedFor: (i: number) => string): Promise<number[]> {
  const form = await openLoginForm(server.url);
  const statuses: number[] = [];
  for (let i = 1; i <= 10; i += 1) {
    const response = await form.attempt(username, 'not the password', { headers: { 'x-forwarded-for': forwardedFor(i) } });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

describe('TRUST_PROXY=true', () => {
  let server: TestServer;
  before(async () => {
    // Defaults for the budgets (3 free failures per username and address); a one-minute base wait
    // so that nothing depends on how fast the attempts follow each other.
    server = await startServer({ bootstrap: BOOTSTRAP, env: { TRUST_PROXY: 'true', LOCKOUT_BACKOFF_BASE: '1m' } });
  });
  after(() => server.close());

  it('rotating the leftmost X-Forwarded-For gives no new login budget: 429 from the 5th wrong password, as from one address', async () => {
    const rotating = await tenWrongPasswords(server, 'dave', (i) => `198.51.100.${i}, 10.0.0.1`);
    const oneAddress = await tenWrongPasswords(server, 'erin', () => '10.0.0.2');
    assert.deepEqual(oneAddress, [401, 401, 401, 401, 429, 429, 429, 429, 429, 429], 'the budget from one address');
    assert.deepEqual(rotating, oneAddress);
    // The audit trail names the address the proxy saw, not the ones the client wrote.
    const dave = await server.portcullis.accounts.findByUsername('dave');
    const recorded = (await auditEvents(server, 'login.failed')).filter((event) => event.accountId === dave?.id).map((event) => event.ip);
    assert.ok(recorded.length > 0);
    assert.deepEqual(new Set(recorded), new Set(['10.0.0.1']));
  });
});
