/**
 * Domains raise errors with a code from a closed list and no status; security/errors.ts is the one
 * table that turns each code into an HTTP status, so every code must have a 4xx there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOMAIN_ERROR_CODES, DomainError } from '../../src/platform/errors.ts';
import { AppError, asAppError } from '../../src/security/errors.ts';

test('every domain error code becomes a 4xx with the same code and the message for the person', () => {
  for (const code of DOMAIN_ERROR_CODES) {
    const http = asAppError(new DomainError(code, `because ${code}`));
    assert.ok(http instanceof AppError, code);
    assert.ok(http.status >= 400 && http.status < 500, `${code} → ${http.status}`);
    assert.equal(http.code, code);
    assert.equal(http.message, `because ${code}`);
    assert.equal(http.expose, true);
  }
});

test('a wait becomes Retry-After and the RateLimit fields', () => {
  const http = asAppError(new DomainError('too_many_attempts', 'wait', { retryAfter: 30, limit: 5 }));
  assert.equal(http?.status, 429);
  assert.deepEqual(http?.headers, { 'Retry-After': '30', 'RateLimit-Limit': '5', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '30' });
});

test('anything that is not ours stays unknown (the handler logs it and answers 500)', () => {
  assert.equal(asAppError(new Error('boom')), undefined);
  assert.equal(asAppError({ code: 'already_enrolled' }), undefined);
});
