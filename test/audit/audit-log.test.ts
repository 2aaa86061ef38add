/** Audit events carry who, what and where — and never passwords, codes or tokens. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/platform/logger.ts';
import { Browserless } from '../support/browserless.ts';
import { discover, redeem, startAuthorization } from '../support/rp.ts';
import { PASSWORD, startServer, type TestServer } from '../support/server.ts';

describe('audit trail', () => {
  const lines: string[] = [];
  let server: TestServer;
  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    server = await startServer({ options: { logger: createLogger('debug', sink) } });
  });
  after(() => server.close());

  it('logs and stores login and token events with identifiers only', async () => {
    const web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
    const browser = new Browserless(server.url);
    const failed = await startAuthorization(web);
    const { url } = await browser.follow(failed.url.href);
    const uid = new URL(url).pathname.split('/').pop() as string;
    const page = await (await browser.request(`/interaction/${uid}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
    await browser.postForm(`/interaction/${uid}/login`, { csrf, username: 'alice', password: 'a wrong secret guess' });

    const start = await startAuthorization(web);
    const callback = await new Browserless(server.url).authorize(start.url.href, 'alice', PASSWORD);
    const tokens = await redeem(web, callback, start);
    await server.portcullis.audit.flush();

    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.channel === 'audit');
    const success = events.find((event) => event.type === 'login.success');
    assert.ok(success, 'login.success was logged');
    assert.equal(success.clientId, 'web-app');
    assert.equal(success.ip, '127.0.0.1');
    assert.ok(success.requestId);
    assert.ok(success.accountId);
    assert.ok(events.some((event) => event.type === 'login.failed'));
    assert.ok(events.some((event) => event.type === 'token.issued'));

    const everything = lines.join('\n');
    for (const secret of [
      PASSWORD,
      'a wrong secret guess',
      callback.searchParams.get('code') as string,
      tokens.access_token,
      tokens.refresh_token as string,
      'web-app-secret-that-is-long-enough',
    ]) {
      assert.ok(!everything.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 6)}…`);
    }

    const stored = await server.portcullis.store.audit.list({ type: 'login.success' });
    assert.equal(stored[0]?.accountId, success.accountId);
    // High-volume token events are logged but not stored (memory of the embedded store).
    assert.deepEqual(await server.portcullis.store.audit.list({ type: 'token.issued' }), []);
  });
});
