/**
 * `portcullis login`: a person's own admin token by the device flow (RFC 8628), so their actions
 * are audited as them and carry only what their admin_roles grant. The CLI is the static public
 * client `portcullis-cli` (oidc/internal-clients.ts); it asks for `resource=<ISSUER>/admin/v1` and
 * every admin scope (or the --scope ones), prints where to sign in and the code, polls, and caches
 * the access token in DATA_DIR/cli-token.json, mode 0600 (token-cache.ts). The token lives
 * ADMIN_TOKEN_TTL (5 minutes by default): log in again after. `portcullis logout` drops the cache.
 */
import { CLI_CLIENT_ID } from '../oidc/internal-clients.ts';
import { ADMIN_SCOPES, adminResourceOf } from '../rbac/scopes.ts';
import { CONNECTION, parse } from './args.ts';
import { baseUrl } from './operator-client.ts';
import { type CliContext, type Command, CommandError, EXIT } from './run.ts';
import { dropCachedToken, writeCachedToken } from './token-cache.ts';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 § 3.2: 5 seconds when the server names no interval; § 3.5: 5 more on slow_down. */
const DEFAULT_INTERVAL = 5;

interface Discovery {
  issuer: string;
  device_authorization_endpoint?: string;
  token_endpoint: string;
}

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** Errors by which the person or the server said no, rather than something broke. */
const REFUSALS = new Set(['access_denied', 'invalid_target', 'invalid_scope', 'unauthorized_client', 'unmet_authentication_requirements', 'invalid_grant']);

async function call<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CommandError(`cannot reach ${new URL(url).origin} (${reason}); is the server running? (OPERATOR_URL or --url)`, EXIT.failed);
  }
  const body = (await response.json().catch(() => ({}))) as T;
  return { status: response.status, body };
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: new URLSearchParams(fields).toString(),
});

function refusal(answer: TokenAnswer, during: string): CommandError {
  const code = answer.error ?? 'error';
  const hint =
    code === 'unmet_authentication_requirements'
      ? ' (an admin token needs a second factor: enrol one at /account, then log in again)'
      : code === 'access_denied'
        ? ' (the sign-in was cancelled or refused in the browser)'
        : '';
  return new CommandError(`${during}: ${code}: ${answer.error_description ?? ''}${hint}`, REFUSALS.has(code) ? EXIT.refused : EXIT.failed);
}

/** The `sub` of a JWT, for the message only: the server verifies the token, not us. */
function subjectOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function poll(discovery: Discovery, device: DeviceAuthorization, resource: string): Promise<TokenAnswer & { access_token: string }> {
  let interval = device.interval ?? DEFAULT_INTERVAL;
  const deadline = Date.now() + device.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval);
    const { status, body } = await call<TokenAnswer>(
      discovery.token_endpoint,
      form({ grant_type: DEVICE_CODE, device_code: device.device_code, client_id: CLI_CLIENT_ID, resource }),
    );
    if (status === 200 && body.access_token) return body as TokenAnswer & { access_token: string };
    if (body.error === 'authorization_pending') continue;
    if (body.error === 'slow_down') {
      interval += 5;
      continue;
    }
    if (body.error === 'expired_token') break;
    throw refusal(body, 'the server did not issue the token');
  }
  throw new CommandError('the code expired before the sign-in was finished; run portcullis login again', EXIT.failed);
}

const LOGIN_USAGE = 'login [--url <base>] [--scope <admin scope>]…  (default: every admin scope your admin roles grant)';

export const login: Command = {
  summary: 'sign in as yourself (device flow in a browser) and cache a short-lived admin token (DATA_DIR/cli-token.json, 0600)',
  async run(args, io: CliContext) {
    const { values } = parse(args, { url: CONNECTION.url, scope: { type: 'string', multiple: true } }, LOGIN_USAGE);
    const url = baseUrl(io, values);
    const { body: discovery } = await call<Discovery>(`${url}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
    if (!discovery.issuer || !discovery.device_authorization_endpoint) throw new CommandError(`${url} does not look like a Portcullis with the device flow`);
    const resource = adminResourceOf(discovery.issuer);
    const scope = (values.scope?.length ? values.scope : [...ADMIN_SCOPES]).join(' ');
    const started = await call<DeviceAuthorization & TokenAnswer>(discovery.device_authorization_endpoint, form({ client_id: CLI_CLIENT_ID, scope, resource }));
    if (started.status !== 200 || !started.body.device_code) throw refusal(started.body, 'the server did not start the sign-in');
    const device = started.body;
    io.err(`To sign in, open ${device.verification_uri} and enter the code: ${device.user_code}`);
    if (device.verification_uri_complete) io.err(`(or open ${device.verification_uri_complete})`);
    io.err(`waiting for the sign-in (the code is valid for ${Math.round(device.expires_in / 60)} minutes)…`);

    const tokens = await poll(discovery, device, resource);
    const expiresAt = Math.floor(Date.now() / 1000) + (tokens.expires_in ?? 0);
    const subject = subjectOf(tokens.access_token);
    const file = await writeCachedToken(io.config().dataDir, {
      url,
      accessToken: tokens.access_token,
      expiresAt,
      scope: tokens.scope ?? '',
      ...(subject ? { subject } : {}),
    });
    io.out(`signed in${subject ? ` as ${subject}` : ''}; admin token cached in ${file} until ${new Date(expiresAt * 1000).toISOString()}`);
    io.out(`scopes: ${tokens.scope || '(none: your admin roles grant nothing here)'}`);
    return EXIT.ok;
  },
};

export const logout: Command = {
  summary: 'forget the cached admin token from login (it expires on its own within ADMIN_TOKEN_TTL)',
  async run(args, io) {
    parse(args, {}, 'logout');
    const dropped = await dropCachedToken(io.config().dataDir);
    io.out(dropped ? 'logged out: the cached admin token is deleted' : 'not logged in: no cached admin token');
    return EXIT.ok;
  },
};
