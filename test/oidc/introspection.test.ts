/**
 * Finding 16: introspection is for a token's own client and for the resource servers its
 * audience names as introspectors; everyone else learns only {"active":false} (RFC 7662 §2.2).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { signIn } from '../support/families.ts';
import { discover } from '../support/rp.ts';
import { DEFAULT_BOOTSTRAP, startServer, type TestServer } from '../support/server.ts';

const OPAQUE = 'https://opaque.example.com';

describe('who may introspect a token', () => {
  let server: TestServer;
  let machine: oidc.Configuration;
  let firstParty: oidc.Configuration;
  let api: oidc.Configuration;
  let web: oidc.Configuration;

  before(async () => {
    server = await startServer({
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        clients: [
          ...DEFAULT_BOOTSTRAP.clients,
          {
            client_id: 'doomed',
            client_secret: 'doomed-secret-that-is-long-enough',
            grant_types: ['client_credentials'],
            redirect_uris: [],
            response_types: [],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        resources: DEFAULT_BOOTSTRAP.resources.map((resource) =>
          resource.identifier === OPAQUE ? { ...resource, introspectors: ['resource-server'] } : resource,
        ),
      },
    });
    machine = await discover(server.url, 'machine', 'machine-secret-that-is-long-enough', oidc.ClientSecretPost('machine-secret-that-is-long-enough'));
    firstParty = await discover(server.url, 'first-party', 'first-party-secret-that-is-long-enough');
    api = await discover(server.url, 'resource-server', 'resource-server-secret-long-enough');
    web = await discover(server.url, 'web-app', 'web-app-secret-that-is-long-enough');
  });
  after(() => server.close());

  it('a confidential client cannot introspect another client’s refresh token', async () => {
    const tokens = await signIn(server, firstParty, 'alice', undefined, { scope: 'openid offline_access' });
    const refresh = tokens.refresh_token as string;
    assert.deepEqual(await oidc.tokenIntrospection(machine, refresh), { active: false });
    assert.deepEqual(await oidc.tokenIntrospection(web, refresh), { active: false });
    assert.equal((await oidc.tokenIntrospection(api, refresh)).active, false, 'no audience names the resource server');
    const own = await oidc.tokenIntrospection(firstParty, refresh);
    assert.equal(own.active, true, 'a client may introspect its own tokens');
    assert.equal(own.client_id, 'first-party');
  });

  it('the resource server its audience lists as introspector may introspect a token; other clients may not', async () => {
    const { access_token: token } = await oidc.clientCredentialsGrant(machine, { scope: 'read', resource: OPAQUE });
    const seen = await oidc.tokenIntrospection(api, token);
    assert.equal(seen.active, true);
    assert.equal(seen.client_id, 'machine');
    assert.equal(seen.aud, OPAQUE);
    assert.deepEqual(await oidc.tokenIntrospection(web, token), { active: false });
  });

  it('a token whose client was deleted is inactive, not a server error', async () => {
    const doomed = await discover(server.url, 'doomed', 'doomed-secret-that-is-long-enough', oidc.ClientSecretPost('doomed-secret-that-is-long-enough'));
    const { access_token: token } = await oidc.clientCredentialsGrant(doomed, { scope: 'read', resource: OPAQUE });
    await server.portcullis.store.model('Client').destroy('doomed');
    const response = await fetch(`${server.url}/token/introspection`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('resource-server:resource-server-secret-long-enough').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }),
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { active: false });
  });
});
