/**
 * The range client (passwords/breach.ts) against the loopback fake of the range API
 * (test/support/pwned.ts): what leaves the server, padding rows, the cache of fetched ranges
 * (in-process and in a real Redis), and every way the API can fail to answer.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createBreachCheck } from '../../src/passwords/breach.ts';
import { memoryRangeCache, openRangeCache } from '../../src/passwords/range-cache.ts';
import { captureLogger } from '../support/log-capture.ts';
import { type FakePwned, sha1Hex, startPwned } from '../support/pwned.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redis.ts';

const BREACHED = 'password1234567';
const PADDED = 'only ever a padding row';
const CLEAN = 'a passphrase nobody has leaked 2026';

describe('the breach range client', () => {
  let pwned: FakePwned;
  before(async () => {
    pwned = await startPwned({ [BREACHED]: 2_400_000, [PADDED]: 0 });
  });
  after(() => pwned.close());
  beforeEach(() => {
    pwned.mode = 'up';
    pwned.requests.length = 0;
  });

  function client(options: { check?: boolean } = {}) {
    const log = captureLogger('warn');
    const unavailable: string[] = [];
    const breach = createBreachCheck(
      { check: options.check ?? true, api: pwned.url, failure: 'open' },
      { cache: memoryRangeCache(), logger: log.logger, onUnavailable: (reason) => unavailable.push(reason) },
    );
    return { breach, log, unavailable };
  }

  it('sends only the first five hex characters of the SHA-1, with Add-Padding and a User-Agent naming Portcullis', async () => {
    const { breach } = client();
    assert.equal(await breach.lookup(BREACHED), 'breached');
    assert.equal(pwned.requests.length, 1);
    const [request] = pwned.requests;
    assert.equal(request?.path, `/range/${sha1Hex(BREACHED).slice(0, 5)}`);
    assert.match(request?.path ?? '', /^\/range\/[0-9A-F]{5}$/, 'five upper-case hex characters and nothing else');
    assert.equal(request?.headers['add-padding'], 'true');
    assert.match(String(request?.headers['user-agent']), /Portcullis/);
    assert.ok(!JSON.stringify(request).includes(sha1Hex(BREACHED).slice(5)), 'the rest of the hash never leaves');
  });

  it('answers clean for a password not in the corpus, and for one whose suffix is only a padding row (count 0)', async () => {
    const { breach } = client();
    assert.equal(await breach.lookup(CLEAN), 'clean');
    assert.equal(await breach.lookup(PADDED), 'clean', 'a count-0 row is padding, not a breach');
    assert.equal(pwned.requests.length, 2);
  });

  it('hashes the NFKC form: a compatibility spelling of a breached password is breached', async () => {
    const { breach } = client();
    // U+FF50… fullwidth letters normalise (NFKC) to the ASCII breached password.
    const fullwidth = [...BREACHED].map((ch) => (/[a-z]/.test(ch) ? String.fromCodePoint((ch.codePointAt(0) as number) + 0xfee0) : ch)).join('');
    assert.notEqual(fullwidth, BREACHED);
    assert.equal(await breach.lookup(fullwidth), 'breached');
  });

  it('asks once for a range: a second lookup of the same prefix makes no request, and concurrent lookups share one', async () => {
    const { breach } = client();
    const verdicts = await Promise.all([breach.lookup(BREACHED), breach.lookup(BREACHED), breach.lookup(BREACHED)]);
    assert.deepEqual(verdicts, ['breached', 'breached', 'breached']);
    assert.equal(pwned.requests.length, 1, 'three concurrent lookups, one fetch');
    pwned.mode = 'error';
    assert.equal(await breach.lookup(BREACHED), 'breached', 'answered from the cache');
    assert.equal(pwned.requests.length, 1, 'no second request');
  });

  it('is off when PASSWORD_BREACH_CHECK=off: nothing is asked', async () => {
    const { breach } = client({ check: false });
    assert.equal(breach.enabled, false);
    assert.equal(await breach.lookup(BREACHED), 'clean');
    assert.equal(pwned.requests.length, 0);
  });

  it('an API slower than 1.5 s is unavailable', async () => {
    pwned.mode = 'slow';
    const { breach, unavailable } = client();
    assert.equal(await breach.lookup(BREACHED), 'unavailable');
    assert.deepEqual(unavailable, ['timeout']);
  });

  it('a 500, a cut connection, a garbage page and a huge body are each unavailable, logged without the prefix, and counted', async () => {
    const { breach, log, unavailable } = client();
    const passwords = ['first of four', 'second of four', 'third of four', 'fourth of four'];
    const modes = ['error', 'down', 'garbage', 'huge'] as const;
    for (const [index, mode] of modes.entries()) {
      pwned.mode = mode;
      assert.equal(await breach.lookup(passwords[index] as string), 'unavailable', mode);
    }
    assert.deepEqual(unavailable, ['status', 'network', 'malformed', 'too_large']);
    assert.equal(breach.unavailableCount, 4);
    const warnings = log.warnings().filter((line) => /breach/.test(line.msg));
    assert.equal(warnings.length, 4, 'one warning per unavailable answer');
    const logged = JSON.stringify(log.lines);
    for (const password of passwords) {
      assert.ok(!logged.includes(sha1Hex(password).slice(0, 5)), 'no prefix in the log');
      assert.ok(!logged.includes(password), 'no password in the log');
    }
    // Nothing unavailable was cached: the API is back, and the answer is real.
    pwned.mode = 'up';
    assert.equal(await breach.lookup('first of four'), 'clean');
  });
});

describe('the breach range cache in Redis', { skip: redisMissing }, () => {
  let redis: TestRedis;
  let pwned: FakePwned;
  before(async () => {
    redis = await startRedis();
    pwned = await startPwned({ [BREACHED]: 12 });
  });
  after(async () => {
    await pwned?.close();
    await redis?.stop();
  });

  it('a range fetched by one instance answers another instance without a request, and keeps only what it needs', async () => {
    const settings = { check: true, api: pwned.url, failure: 'open' as const };
    const log = captureLogger('warn');
    const [cacheA, cacheB] = await Promise.all([openRangeCache(redis.url, log.logger), openRangeCache(redis.url, log.logger)]);
    // Two instances that are up: a cache still connecting is skipped, and a loaded machine may take a while to connect.
    await Promise.all([cacheA.ready, cacheB.ready]);
    try {
      const a = createBreachCheck(settings, { cache: cacheA, logger: log.logger });
      const b = createBreachCheck(settings, { cache: cacheB, logger: log.logger });
      assert.equal(await a.lookup(BREACHED), 'breached');
      assert.equal(await a.lookup('another clean passphrase 99'), 'clean');
      assert.equal(pwned.requests.length, 2);
      assert.equal(await b.lookup(BREACHED), 'breached');
      assert.equal(pwned.requests.length, 2, 'the second instance read the range from Redis');

      const { Redis } = await import('ioredis');
      const direct = new Redis(redis.url);
      try {
        const prefix = sha1Hex(BREACHED).slice(0, 5);
        const key = (await direct.keys('*')).find((name) => name.endsWith(prefix));
        assert.ok(key, 'the range is kept under its prefix');
        const ttl = await direct.ttl(key);
        assert.ok(ttl > 23 * 3600 && ttl <= 24 * 3600, `kept for a day (ttl ${ttl})`);
        const stored = await direct.getBuffer(key);
        assert.equal(stored?.length, 8, 'compact: 8 bytes for the one real row (padding rows are dropped)');
        assert.ok(!stored?.toString('latin1').includes(sha1Hex(BREACHED).slice(5)), 'not the suffix text');
      } finally {
        direct.disconnect();
      }
    } finally {
      await cacheA.close();
      await cacheB.close();
    }
  });
});
