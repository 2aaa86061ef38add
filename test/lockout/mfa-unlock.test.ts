/**
 * Audit finding 13: the MFA throttle used to be a hidden in-process limiter in front of the
 * `mfa.person` dimension, so the operator's unlock left a person kept out by someone else's
 * wrong codes waiting for up to an hour. Now the dimension is the only throttle.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PREFIX } from '../../src/admin/paths.ts';
import { Browserless } from '../support/browserless.ts';
import { enrolDirectly, TestClock, totpAt } from '../support/mfa.ts';
import { discover, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

const TOKEN = 'operator-token-that-is-long-enough-0123456789';

describe('MFA throttle and the operator', () => {
  const clock = new TestClock();
  let server: TestServer;
  let secret: string;

  before(async () => {
    server = await startServer({ env: { OPERATOR_TOKEN: TOKEN }, options: { now: clock.now } });
    secret = (await enrolDirectly(server, 'bob', clock)).secret;
  });
  after(() => server.close());

  it('an operator unlock clears the MFA wait: wrong codes until 429, unlock, then the right code signs in', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const browser = new Browserless(server.url);
    const start = await startAuthorization(web, { scope: 'openid' });
    const html = await (await browser.follow(start.url.href)).response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const uid = /\/interaction\/([A-Za-z0-9_-]+)\//.exec(html)?.[1] as string;
    assert.equal((await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'bob', password: PASSWORD })).status, 303);

    const statuses: number[] = [];
    for (let attempt = 0; attempt < 10 && statuses.at(-1) !== 429; attempt += 1) {
      const response = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: '000000' });
      statuses.push(response.status);
      await response.text();
    }
    assert.equal(statuses.at(-1), 429, `wrong codes end in 429: ${statuses.join(' ')}`);
    const right = await totpAt(secret, clock);
    const stillRefused = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: right });
    assert.equal(stillRefused.status, 429, 'the right code waits too');
    assert.ok(stillRefused.headers.get('ratelimit-limit'), 'the one 429 builder, with RateLimit-* fields');

    const unlock = await fetch(new URL(`${ADMIN_PREFIX}/lockout/unlock`, server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob' }),
    });
    assert.equal(unlock.status, 200);

    const signedIn = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: right });
    assert.equal(signedIn.status, 303, 'the right code after the unlock is accepted');
  });
});
