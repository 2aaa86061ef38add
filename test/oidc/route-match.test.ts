/** Which provider route a path belongs to, folded as oidc-provider's router folds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRouteMatcher } from '../../src/oidc/route-match.ts';
import { providerRoutes } from '../../src/oidc/routes.ts';

describe('provider route matching', () => {
  const match = createRouteMatcher(providerRoutes());

  it('gives the configured spelling of a case or trailing-slash variant', () => {
    assert.deepEqual(match('/TOKEN'), { name: 'token', route: '/token', canonical: '/token', exact: true });
    assert.equal(match('/token/')?.canonical, '/token');
    assert.equal(match('/Token/Introspection/')?.name, 'introspection');
    assert.equal(match('/Token/Introspection/')?.canonical, '/token/introspection');
    assert.equal(match('/token')?.canonical, '/token');
  });

  it('keeps the case of what follows a route (an interaction uid) and picks the longest route', () => {
    assert.deepEqual(match('/AUTH/AbC'), { name: 'authorization', route: '/auth', canonical: '/auth/AbC', exact: false });
    assert.equal(match('/auth/AbC/')?.canonical, '/auth/AbC');
    assert.equal(match('/device/auth')?.name, 'device_authorization');
    assert.equal(match('/device/AbC')?.name, 'code_verification');
    assert.equal(match('/session/end/confirm')?.name, 'end_session');
  });

  it('does not fold characters whose capital is ASCII, as the provider does not', () => {
    assert.equal(match('/ſession/end'), undefined, 'long s');
    assert.equal(match('/tokens'), undefined);
    assert.equal(match('/'), undefined);
    assert.equal(match('/interaction/abc'), undefined);
  });

  it('answers each path on its own when paths alternate (the last answer is kept only for the same path)', () => {
    const fresh = createRouteMatcher(providerRoutes());
    const asked = ['/TOKEN', '/TOKEN', '/token/introspection', '/nope', '/AUTH/AbC', '/TOKEN'].map((path) => fresh(path)?.canonical);
    assert.deepEqual(asked, ['/token', '/token', '/token/introspection', undefined, '/auth/AbC', '/token']);
  });
});
