/**
 * The clients, person and APIs both servers are set up with, so every scenario sends the same
 * requests to each. Shapes follow test/support/server.ts; secrets are fixed because the load
 * generator needs them.
 */
export const CALLBACK = 'http://127.0.0.1:9999/callback';

export const WEB = { id: 'web-app', secret: 'web-app-secret-that-is-long-enough' };
export const MACHINE = { id: 'machine', secret: 'machine-secret-that-is-long-enough' };
export const RESOURCE_SERVER = { id: 'resource-server', secret: 'resource-server-secret-long-enough' };

export const USER = { username: 'alice', password: 'correct horse battery staple' };

/**
 * People the login scenario signs in, one per connection: brute-force defence allows one password
 * check at a time per username and address, so many connections signing in one person from one
 * address would be (rightly) refused. Real traffic is many people.
 */
export const LOGIN_USERS = Array.from({ length: 32 }, (_, index) => `person-${index}`);

export const JWT_API = 'https://api.example.com';
export const OPAQUE_API = 'https://opaque.example.com';

/** What the refresh-token and access-token pools are minted with. */
export const USER_SCOPE = 'openid profile email offline_access';

export const CLIENTS = [
  {
    client_id: WEB.id,
    client_secret: WEB.secret,
    client_name: 'Web App',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access roles',
  },
  {
    client_id: MACHINE.id,
    client_secret: MACHINE.secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    client_id: RESOURCE_SERVER.id,
    client_secret: RESOURCE_SERVER.secret,
    grant_types: [],
    redirect_uris: [],
    response_types: [],
  },
];

export const RESOURCES = [
  { identifier: JWT_API, scopes: ['read', 'write'], accessTokenFormat: 'jwt' as const, accessTokenTTL: 600, signingAlg: 'ES256' as const },
  { identifier: OPAQUE_API, scopes: ['read'], accessTokenFormat: 'opaque' as const },
];

export function basicAuth(client: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
}
