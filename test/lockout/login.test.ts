/**
 * The login form under attack, with the in-process store: what a throttled person and a guesser
 * see, which budgets apply, and the operator's lock and unlock. Thresholds are set small and
 * waits long (one minute) so nothing here depends on time passing.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.ts';
import { runCli } from '../../src/cli/run.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { alertText, openLoginForm } from '../support/login-form.ts';
import { DEFAULT_BOOTSTRAP, PASSWORD, startServer, type TestServer } from '../support/server.ts';

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

/** One person per test, so that no test inherits another's failures. */
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin'];
const BOOTSTRAP = {
  ...DEFAULT_BOOTSTRAP,
  users: PEOPLE.map((username) => ({ username, email: `${username}@example.com`, roles: ['user'], password: PASSWORD })),
};

describe('login throttling (in-process store)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      bootstrap: BOOTSTRAP,
      env: {
        // Requests come from 127.0.0.1; trusting it as a proxy lets X-Forwarded-For name the "client".
        TRUST_PROXY: '127.0.0.1',
        LOCKOUT_USER_IP_FREE_FAILURES: '1',
        LOCKOUT_USER_FREE_FAILURES: '2',
        LOCKOUT_BACKOFF_BASE: '1m',
        LOCKOUT_IP_FAILURES: '3',
      },
    });
  });
  after(() => server.close());

  it('answers a throttled form with the sign-in page, 429 and an honest Retry-After, even for the right password', async () => {
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('alice', 'wrong', from('10.1.0.1'))).status, 401);
    assert.equal((await form.attempt('alice', 'wrong', from('10.1.0.1'))).status, 401);
    const refused = await form.attempt('alice', PASSWORD, from('10.1.0.1'));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal(refused.headers.get('ratelimit-reset'), '60');
    const html = await refused.text();
    assert.match(html, /name="password"/, 'the form is there to try again later');
    assert.equal(alertText(html), 'Too many sign-in attempts. For your security, please wait 60 seconds and try again.');
    assert.equal((await form.attempt('alice', PASSWORD, from('10.1.0.2'))).status, 303, 'another address is not held back');
  });

  it('says exactly the same for a username that does not exist', async () => {
    const page = async (username: string, ip: string) => {
      const form = await openLoginForm(server.url);
      await form.attempt(username, 'wrong', from(ip));
      await form.attempt(username, 'wrong', from(ip));
      const response = await form.attempt(username, 'wrong', from(ip));
      const html = (await response.text())
        .replaceAll(form.uid, 'UID')
        .replace(/value="[^"]{20,}"/g, 'value="CSRF"')
        .replaceAll(username, 'NAME');
      return { status: response.status, retryAfter: response.headers.get('retry-after'), html };
    };
    const real = await page('bob', '10.2.0.1');
    const unknown = await page('nobody-here', '10.2.0.2');
    assert.equal(real.status, 429);
    assert.deepEqual(unknown, real);
  });

  it('gives JSON callers too_many_attempts with RateLimit fields', async () => {
    const form = await openLoginForm(server.url);
    await form.attempt('carol', 'wrong', { json: true, ...from('10.3.0.1') });
    await form.attempt('carol', 'wrong', { json: true, ...from('10.3.0.1') });
    const refused = await form.attempt('carol', PASSWORD, { json: true, ...from('10.3.0.1') });
    assert.equal(refused.status, 429);
    const body = (await refused.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'too_many_attempts');
    assert.match(body.error_description, /wait 60 seconds/);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal(refused.headers.get('ratelimit-limit'), '1');
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    assert.equal(refused.headers.get('ratelimit-reset'), '60');
  });

  it('counts an address across usernames', async () => {
    const form = await openLoginForm(server.url);
    for (const username of ['u1', 'u2', 'u3']) assert.equal((await form.attempt(username, 'wrong', from('10.4.0.1'))).status, 401);
    const refused = await form.attempt('dave', PASSWORD, from('10.4.0.1'));
    assert.equal(refused.status, 429);
    const wait = Number(refused.headers.get('retry-after'));
    assert.ok(wait > 3000 && wait <= 3600, `the address waits for its hour-long window to end (got ${wait})`);
  });

  it('slows a username attacked from many addresses, but not from where its owner signs in', async () => {
    const owner = await openLoginForm(server.url);
    assert.equal((await owner.attempt('erin', PASSWORD, from('10.5.0.1'))).status, 303);
    for (const ip of ['10.5.1.1', '10.5.1.2', '10.5.1.3']) {
      const form = await openLoginForm(server.url);
      assert.equal((await form.attempt('erin', 'wrong', from(ip))).status, 401);
    }
    const stranger = await openLoginForm(server.url);
    assert.equal((await stranger.attempt('erin', PASSWORD, from('10.5.1.4'))).status, 429, 'a fresh address waits');
    const again = await openLoginForm(server.url);
    assert.equal((await again.attempt('erin', PASSWORD, from('10.5.0.1'))).status, 303, 'the owner’s usual address does not');
    const locked = await server.portcullis.store.audit.list({ type: 'account.locked' });
    assert.equal(locked.length, 1);
    assert.deepEqual(locked[0]?.detail, { scope: 'username', temporary: true, retry_after: 60 });
  });

  it('records refused attempts as login.throttled', async () => {
    await server.portcullis.audit.flush();
    const throttled = await server.portcullis.store.audit.list({ type: 'login.throttled' });
    assert.ok(throttled.length >= 4);
    assert.ok(throttled.every((event) => typeof event.detail?.retry_after === 'number' && event.ip));
  });
});

describe('hard locks and the operator (in-process store)', () => {
  const TOKEN = 'operator-token-that-is-long-enough-0123456789';
  let server: TestServer;
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { PORT: String(new URL(server.url).port), OPERATOR_TOKEN: TOKEN };
    const code = await runCli(['lockout', ...argv], COMMANDS, { config: () => loadConfig(env), out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };
  before(async () => {
    server = await startServer({
      env: {
        LOCKOUT_HARD_LOCK_FAILURES: '3',
        LOCKOUT_USER_IP_FREE_FAILURES: '3',
        LOCKOUT_USER_FREE_FAILURES: '3',
        LOCKOUT_BACKOFF_BASE: '1m',
        OPERATOR_TOKEN: TOKEN,
      },
    });
  });
  after(() => server.close());

  it('locks a username after the policy’s failures (423) until an operator unlocks it', async () => {
    const form = await openLoginForm(server.url);
    for (let i = 0; i < 3; i += 1) assert.equal((await form.attempt('alice', 'wrong')).status, 401);
    const locked = await form.attempt('alice', PASSWORD, { json: true });
    assert.equal(locked.status, 423);
    assert.equal(((await locked.json()) as { error: string }).error, 'account_locked');
    const page = await form.attempt('alice', PASSWORD);
    assert.equal(page.status, 423);

    const alice = await server.portcullis.accounts.findByUsername('alice');
    assert.ok(alice);
    for (let i = 0; i < 6; i += 1) await server.portcullis.lockout.fail('mfa.person', { person: alice.id });
    assert.equal((await server.portcullis.lockout.check('mfa.person', { person: alice.id })).allowed, false);

    const done = await cli('unlock-user', 'Alice');
    assert.deepEqual(done, { code: 0, out: ['unlocked username Alice'], err: [] });
    assert.equal((await form.attempt('alice', PASSWORD)).status, 303, 'unlocked, and the back-off went with it');
    assert.equal((await server.portcullis.lockout.check('mfa.person', { person: alice.id })).allowed, true, 'and the MFA wait');

    await server.portcullis.audit.flush();
    const [unlocked] = await server.portcullis.store.audit.list({ type: 'account.unlocked' });
    assert.deepEqual(unlocked?.detail, { scope: 'username', by: 'operator', actor: { kind: 'operator', id: 'operator' } });
    assert.ok(unlocked?.accountId);
    const policy = await server.portcullis.store.audit.list({ type: 'account.locked' });
    assert.ok(policy.some((event) => event.detail?.by === 'policy' && event.accountId === unlocked?.accountId));
  });

  it('lets an operator lock and unlock an address', async () => {
    assert.equal((await cli('lock-ip', '127.0.0.1')).code, 0);
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('bob', PASSWORD)).status, 423);
    assert.equal((await cli('unlock-ip', '127.0.0.1')).code, 0);
    assert.equal((await form.attempt('bob', PASSWORD)).status, 303);

    await server.portcullis.audit.flush();
    const [locked] = await server.portcullis.store.audit.list({ type: 'account.locked' });
    assert.deepEqual(locked?.detail, { scope: 'ip', address: '127.0.0.1', temporary: false, by: 'operator', actor: { kind: 'operator', id: 'operator' } });
    const [refused] = await server.portcullis.store.audit.list({ type: 'login.throttled' });
    assert.deepEqual(refused?.detail, { locked: 'ip' });
  });

  it('hard-locks a username on an operator’s word, reaching the server named by --url', async () => {
    const url = ['--url', server.url];
    const elsewhere = async (...argv: string[]) => {
      const err: string[] = [];
      // PORT points nowhere useful: only --url can find the server.
      const env = { PORT: '9', OPERATOR_TOKEN: TOKEN };
      const code = await runCli(['lockout', ...argv], COMMANDS, { config: () => loadConfig(env), out: () => {}, err: (l) => err.push(l) });
      return { code, err };
    };
    assert.equal((await elsewhere('lock-user', 'bob', ...url)).code, 0);
    const form = await openLoginForm(server.url);
    assert.equal((await form.attempt('bob', PASSWORD)).status, 423);
    const unreachable = await elsewhere('unlock-user', 'bob');
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.err[0] ?? '', /cannot reach the server at http:\/\/127\.0\.0\.1:9/);
    assert.equal((await elsewhere('unlock-user', 'bob', ...url)).code, 0);
    assert.equal((await form.attempt('bob', PASSWORD)).status, 303);
  });

  it('refuses operators without the token, and bad arguments', async () => {
    const wrong = await fetch(`${server.url}/admin/v1/lockout/unlock`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: 'alice' }),
    });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_token');
    const badIp = await cli('unlock-ip', 'not-an-ip');
    assert.equal(badIp.code, 1);
    assert.match(badIp.err[0] ?? '', /400 invalid_request/);
    assert.equal((await cli('unlock-user')).code, 2);
    const noToken = await runCli(['lockout', 'unlock-user', 'alice'], COMMANDS, { config: () => loadConfig({}), out: () => {}, err: () => {} });
    assert.equal(noToken, 1);
  });

  it('refuses the admin API without a token when none is configured, and says at start-up where counters live', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const plain = await startServer({ options: { logger: createLogger('warn', sink) } });
    try {
      const response = await fetch(`${plain.url}/admin/v1/lockout/unlock`, { method: 'POST', headers: { accept: 'application/json' } });
      assert.equal(response.status, 401);
      assert.ok(lines.some((line) => line.includes('REDIS_URL not set: lockout counters live in this process only')));
    } finally {
      await plain.close();
    }
  });
});
