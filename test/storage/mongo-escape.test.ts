import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeKey, escapeKeys, unescapeKey, unescapeKeys } from '../../src/storage/mongo/escape.ts';

describe('mongo key escaping', () => {
  it('escapes dots, dollars and the escape character, and nothing else', () => {
    assert.equal(escapeKey('app.example.com'), 'app%2Eexample%2Ecom');
    assert.equal(escapeKey('$where'), '%24where');
    assert.equal(escapeKey('100%'), '100%25');
    assert.equal(escapeKey('grantId'), 'grantId');
    assert.doesNotMatch(escapeKey('a.b$c%d'), /[.$]/);
  });

  it('round-trips keys that already look escaped', () => {
    for (const key of ['%2E', '%252E', 'a%24.b', '%', '%%', '.%2.', '$.$', '', 'ü.ñ']) {
      assert.equal(unescapeKey(escapeKey(key)), key, key);
    }
  });

  it('round-trips a nested session payload with arrays and odd keys', () => {
    const payload = {
      uid: 'u-1',
      accountId: 'acc-1',
      authorizations: {
        'app.example.com': { sid: 's', grantId: 'g', scopes: ['openid', 'x.y'] },
        $client: { persistsLogout: true },
        '50%.off': { nested: [{ 'a.b': 1 }, [{ $c: null }]] },
      },
      empty: {},
      count: 0,
      flag: false,
      when: new Date(0),
    };
    const stored = escapeKeys(payload);
    assert.doesNotMatch(JSON.stringify(Object.keys(stored.authorizations)), /[.$]/);
    assert.deepEqual(Object.keys(stored.authorizations), ['app%2Eexample%2Ecom', '%24client', '50%25%2Eoff']);
    assert.ok(stored.when instanceof Date, 'BSON values such as Date pass through');
    assert.deepEqual(unescapeKeys(stored), payload);
    assert.notEqual(stored.authorizations, payload.authorizations, 'a copy, the input is untouched');
    assert.ok('app.example.com' in payload.authorizations);
  });

  it('drops undefined members and turns undefined array items into null, as JSON does', () => {
    const stored = escapeKeys({ a: undefined, b: [1, undefined], c: { d: undefined } });
    assert.deepEqual(stored, { b: [1, null], c: {} });
    assert.deepEqual(stored, JSON.parse(JSON.stringify({ a: undefined, b: [1, undefined], c: { d: undefined } })));
  });

  it('keeps a "__proto__" key as data', () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "x.y": 1}') as Record<string, unknown>;
    const back = unescapeKeys(escapeKeys(payload));
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual(Object.keys(back), ['__proto__', 'x.y']);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });
});
