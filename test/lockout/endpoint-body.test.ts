/**
 * The token endpoint's guard reads the form to learn the claimed client, and oidc-provider then
 * reads the same body from the stream itself: it never sees a body someone else parsed (it used to
 * warn "already parsed request body detected" and parse the form a second time). Bodies sent in
 * pieces, compressed or too large are handled as before.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startServer, type TestServer } from '../support/server.ts';

const FORM = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: 'machine',
  client_secret: 'machine-secret-that-is-long-enough',
}).toString();

/** A POST to /token whose body goes out in the given pieces (chunked: no Content-Length). */
function post(url: string, pieces: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const send = (index: number) => {
      if (index === pieces.length) {
        req.end();
        return;
      }
      req.write(pieces[index], () => setImmediate(() => send(index + 1)));
    };
    send(0);
  });
}

describe('token endpoint body', () => {
  let server: TestServer;
  const warn = mock.method(console, 'warn');
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    warn.mock.restore();
    await server.close();
  });

  it('oidc-provider reads the token request body itself: no "already parsed request body" warning', async () => {
    const answer = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: FORM });
    assert.equal(answer.status, 200);
    assert.match(((await answer.json()) as { access_token: string }).access_token, /\S/);
    const warnings = warn.mock.calls.map((call) => String(call.arguments[0]));
    assert.deepEqual(
      warnings.filter((line) => line.includes('already parsed')),
      [],
    );
  });

  it('serves a form that arrives in several pieces', async () => {
    const bytes = Buffer.from(FORM);
    const answer = await post(server.url, [bytes.subarray(0, 10), bytes.subarray(10, 40), bytes.subarray(40)]);
    assert.equal(answer.status, 200, answer.body);
  });

  it('counts a bad secret sent in pieces against the client it names', async () => {
    const bytes = Buffer.from(FORM.replace('machine-secret', 'wrong-secret'));
    const answer = await post(server.url, [bytes.subarray(0, 25), bytes.subarray(25)]);
    assert.equal(answer.status, 401);
    // The guard counts a failure once the answer has gone out. This address is known (the first
    // test succeeded from it), so the failure counts toward the client's ceiling only.
    const counted = () => server.portcullis.lockout.check('client.total', { client: 'machine' });
    for (let i = 0; i < 40 && (await counted()).failures === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal((await counted()).failures, 1);
  });

  it('serves a gzip-compressed form as before', async () => {
    const answer = await post(server.url, [gzipSync(FORM)], { 'content-encoding': 'gzip' });
    assert.equal(answer.status, 200, answer.body);
  });

  it('answers 400 invalid_request to a form over 56 KiB', async () => {
    const answer = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${FORM}&padding=${'x'.repeat(57 * 1024)}`,
    });
    assert.equal(answer.status, 400);
    assert.equal(((await answer.json()) as { error: string }).error, 'invalid_request');
  });

  // web-app authenticates with HTTP Basic; a refresh token it never had is the provider's invalid_grant.
  const basic = (secret: string) => `Basic ${Buffer.from(`web-app:${secret}`).toString('base64')}`;
  const REFRESH = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'never-issued' }).toString();

  it('with HTTP Basic the form is left to oidc-provider: sent in pieces it is read, over 56 KiB it is refused with 400', async () => {
    const bytes = Buffer.from(REFRESH);
    const pieces = await post(server.url, [bytes.subarray(0, 7), bytes.subarray(7)], { authorization: basic('web-app-secret-that-is-long-enough') });
    assert.equal(pieces.status, 400, pieces.body);
    assert.equal((JSON.parse(pieces.body) as { error: string }).error, 'invalid_grant');
    const large = await post(server.url, [Buffer.from(`${REFRESH}&padding=${'x'.repeat(57 * 1024)}`)], {
      authorization: basic('web-app-secret-that-is-long-enough'),
    });
    assert.equal(large.status, 400, large.body);
    assert.equal((JSON.parse(large.body) as { error: string }).error, 'invalid_request');
  });

  it('with HTTP Basic a bad secret counts against the client the header names', async () => {
    const counted = () => server.portcullis.lockout.check('client.total', { client: 'web-app' });
    const before = (await counted()).failures;
    const answer = await post(server.url, [Buffer.from(REFRESH)], { authorization: basic('wrong-secret-that-is-long-enough') });
    assert.equal(answer.status, 401, answer.body);
    for (let i = 0; i < 40 && (await counted()).failures === before; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal((await counted()).failures, before + 1);
  });

  it('a request whose client hangs up before the body is complete counts toward no budget', async () => {
    const counted = () => server.portcullis.lockout.check('endpoint.ip', { ip: '127.0.0.1' });
    const before = (await counted()).failures;
    // HTTP Basic names the client, so the provider itself reads the form and finds it cut short.
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      [
        'POST /token HTTP/1.1',
        `Host: 127.0.0.1:${new URL(server.url).port}`,
        `Authorization: ${basic('web-app-secret-that-is-long-enough')}`,
        'Content-Type: application/x-www-form-urlencoded',
        `Content-Length: ${REFRESH.length + 10}`,
        '',
        REFRESH.slice(0, 10),
      ].join('\r\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    // A request that fails for real afterwards is counted: the count moved by it alone.
    const answer = await post(server.url, [Buffer.from(REFRESH)], { authorization: basic('web-app-secret-that-is-long-enough') });
    assert.equal(answer.status, 400, answer.body);
    for (let i = 0; i < 40 && (await counted()).failures === before; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await counted()).failures, before + 1);
  });

  it("answers an empty form with the provider's 400, not a 500", async () => {
    const answer = await post(server.url, [], { 'content-length': '0' });
    assert.equal(answer.status, 400, answer.body);
    assert.equal((JSON.parse(answer.body) as { error: string }).error, 'invalid_request');
  });
});
