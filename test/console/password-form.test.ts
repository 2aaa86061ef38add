/**
 * The fields POST /account/password takes: those its own page renders (test/console/password.browser.test.ts
 * submits the page in Chromium), and nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { signIn } from '../support/families.ts';
import { discover } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const NEW_PASSWORD = 'a different passphrase entirely';

describe('password form fields', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  it('accepts the username field its page carries for password managers, and still refuses any other unknown field', async () => {
    const browser = new Browserless(server.url);
    await signIn(server, await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough'), 'bob', browser);
    await openConsole(browser);
    const page = await (await browser.request('/account/password')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
    const rendered = /<input[^>]*name="username"[^>]*value="([^"]*)"/.exec(page)?.[1];
    assert.equal(rendered, 'bob', 'the page names the account by its username');
    const fields = { csrf, username: 'bob', current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD };

    for (const extra of [{ role: 'admin' }, { account_id: 'someone-else' }] as Array<Record<string, string>>) {
      const refused = await browser.postForm('/account/password', { ...fields, ...extra });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /invalid_request|invalid or missing field/);
    }
    const tooLong = await browser.postForm('/account/password', { ...fields, username: 'b'.repeat(2000) });
    assert.equal(tooLong.status, 400);
    assert.equal((await server.portcullis.accounts.authenticate('bob', PASSWORD)).ok, true, 'nothing changed so far');

    // The username is for the password manager only: the account is the session's, whatever it says.
    const changed = await browser.postForm('/account/password', { ...fields, username: 'alice' });
    assert.equal(changed.status, 200);
    assert.equal((await server.portcullis.accounts.authenticate('bob', NEW_PASSWORD)).ok, true);
    assert.equal((await server.portcullis.accounts.authenticate('alice', PASSWORD)).ok, true, 'alice is untouched');
  });
});
