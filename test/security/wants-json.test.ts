/**
 * wantsJson (security/body.ts) answers a browser's Accept header from its first entry; for every
 * combination here it must say what koa's full content negotiation says.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Koa from 'koa';
import { wantsJson } from '../../src/security/body.ts';

const ACCEPTS = [
  undefined,
  '',
  'text/html',
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
  'TEXT/HTML, application/json',
  ' text/html , application/json',
  'application/json',
  'application/json, text/html',
  'application/json;q=0, text/html',
  'text/html;q=0.1, application/json',
  'text/html;level=1, application/json',
  'text/htmlx, application/json',
  'text/*;q=0.1, */*',
  '*/*',
  'application/*',
];
const CONTENT_TYPES = [undefined, 'application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded'];

describe('wantsJson', () => {
  it('agrees with content negotiation for browser, API and odd Accept headers, with and without a JSON body', () => {
    const app = new Koa();
    let compared = 0;
    for (const accept of ACCEPTS) {
      for (const type of CONTENT_TYPES) {
        for (const withBody of [true, false]) {
          const headers: Record<string, string> = {};
          if (accept !== undefined) headers.accept = accept;
          if (type !== undefined) headers['content-type'] = type;
          if (withBody) headers['content-length'] = '2';
          const ctx = app.createContext({ headers, method: 'POST', url: '/', socket: {} } as never, { getHeader() {}, setHeader() {} } as never);
          const negotiated = ctx.is('application/json') === 'application/json' || ctx.accepts('html', 'json') === 'json';
          assert.equal(wantsJson(ctx), negotiated, `accept ${accept} · content-type ${type} · body ${withBody}`);
          compared += 1;
        }
      }
    }
    assert.equal(compared, ACCEPTS.length * CONTENT_TYPES.length * 2);
  });
});
