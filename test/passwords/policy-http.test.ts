/**
 * The password policy through the pages and the JSON APIs: the account console's change, the admin
 * API's create and set-password. A refusal names every rule that failed (400 `password_policy`
 * with `violations` in JSON, one sentence each on the page) and writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeViolation } from '../../src/passwords/describe.ts';
import type { PolicyViolation } from '../../src/passwords/types.ts';
import { Browserless } from '../support/browserless.ts';
import { openConsole } from '../support/console.ts';
import { signIn } from '../support/families.ts';
import { discover } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';
const NEW_PASSWORD = 'a different passphrase entirely';

type PolicyAnswer = { error: string; error_description: string; violations: PolicyViolation[] };

describe('password policy over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN } });
  });
  after(() => server.close());

  const works = async (username: string, password: string) => (await server.portcullis.accounts.authenticate(username, password)).ok;

  async function consoleOf(username: string) {
    await server.portcullis.accounts.create({ username, email: `${username}@example.com`, name: `${username} Example`, password: PASSWORD });
    const browser = new Browserless(server.url);
    await signIn(server, await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough'), username, browser);
    await openConsole(browser);
    const page = await (await browser.request('/account/password')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
    const changeJson = (current: string, next: string) =>
      browser.request('/account/password', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ current_password: current, new_password: next, confirm_password: next }),
      });
    return { browser, csrf, page, changeJson };
  }

  const admin = (path: string, method: string, json: unknown) =>
    fetch(`${server.url}/admin/v1${path}`, {
      method,
      body: JSON.stringify(json),
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
    });

  it('the password page states the rules before anything is typed', async () => {
    const { page } = await consoleOf('rules');
    assert.match(page, /id="password-rules"[^>]*>Use 15 to 128 characters/);
    assert.match(page, /minlength="15"/);
  });

  it('the console JSON answers 400 password_policy naming every failed rule, and the old password still works', async () => {
    const { changeJson } = await consoleOf('lena');
    const answer = await changeJson(PASSWORD, 'lena');
    assert.equal(answer.status, 400);
    const body = (await answer.json()) as PolicyAnswer;
    assert.equal(body.error, 'password_policy');
    assert.deepEqual(
      body.violations.map((v) => v.code),
      ['too_short', 'like_username', 'like_email', 'too_weak'],
    );
    assert.deepEqual(body.violations[0], { code: 'too_short', min: 15 });
    assert.match(body.error_description, /Use at least 15 characters\./);
    assert.equal(await works('lena', PASSWORD), true, 'nothing written');
    assert.equal(await works('lena', 'lena'), false);
  });

  it('the console page lists every failed rule in words, and writes nothing', async () => {
    const { browser, csrf } = await consoleOf('mona');
    const weak = 'mona';
    const answer = await browser.postForm('/account/password', { csrf, current_password: PASSWORD, new_password: weak, confirm_password: weak });
    assert.equal(answer.status, 400);
    const html = await answer.text();
    const violations: PolicyViolation[] = [{ code: 'too_short', min: 15 }, { code: 'like_username' }, { code: 'like_email' }];
    for (const violation of violations) assert.ok(html.includes(describeViolation(violation).replace(/'/g, '&#39;')), violation.code);
    assert.match(html, /<li>This password is [^<]*guess/, 'the strength verdict too');
    assert.equal((html.match(/<li>/g) ?? []).length, 4, 'one line per failed rule');
    assert.equal(await works('mona', PASSWORD), true);
  });

  it('the current and earlier passwords are refused as reused (PASSWORD_HISTORY 5)', async () => {
    const { changeJson } = await consoleOf('nora');
    assert.equal((await changeJson(PASSWORD, NEW_PASSWORD)).status, 200);
    const back = await changeJson(NEW_PASSWORD, PASSWORD);
    assert.equal(back.status, 400);
    assert.deepEqual(((await back.json()) as PolicyAnswer).violations, [{ code: 'reused', history: 5 }]);
    const same = await changeJson(NEW_PASSWORD, NEW_PASSWORD);
    assert.deepEqual(((await same.json()) as PolicyAnswer).violations, [{ code: 'reused', history: 5 }]);
    assert.equal(await works('nora', NEW_PASSWORD), true);
  });

  it('admin create refuses a weak plaintext password with password_policy and creates no one', async () => {
    const answer = await admin('/users', 'POST', { username: 'olga', email: 'olga@example.com', password: 'olga2026' });
    assert.equal(answer.status, 400);
    const body = (await answer.json()) as PolicyAnswer;
    assert.equal(body.error, 'password_policy');
    assert.deepEqual(
      body.violations.map((v) => v.code),
      ['too_short', 'like_username', 'like_email', 'too_weak'],
    );
    assert.equal(await server.portcullis.accounts.findByUsername('olga'), undefined);
    assert.equal((await admin('/users', 'POST', { username: 'olga', password: PASSWORD })).status, 201);
  });

  it('admin set-password refuses a weak or reused password with password_policy and leaves the old one working', async () => {
    const person = await server.portcullis.accounts.create({ username: 'pia', password: PASSWORD });
    const weak = await admin(`/users/${person.id}/password`, 'POST', { password: 'short' });
    assert.equal(weak.status, 400);
    assert.deepEqual(
      ((await weak.json()) as PolicyAnswer).violations.map((v) => v.code),
      ['too_short', 'too_weak'],
    );
    const reused = await admin(`/users/${person.id}/password`, 'POST', { password: PASSWORD });
    assert.deepEqual(((await reused.json()) as PolicyAnswer).violations, [{ code: 'reused', history: 5 }]);
    assert.equal(await works('pia', PASSWORD), true, 'nothing written');
    assert.equal((await admin(`/users/${person.id}/password`, 'POST', { password: NEW_PASSWORD })).status, 204);
    assert.equal(await works('pia', NEW_PASSWORD), true);
    const history = (await server.portcullis.accounts.findById(person.id))?.passwordHistory;
    assert.equal(history?.length, 1, 'the previous hash is remembered');
  });
});
