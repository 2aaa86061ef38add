/**
 * The CLI's one client of the admin API (/admin/v1), used by every command that talks to the
 * running server. It never opens the store: the server owns it.
 *
 * Where: `--url`, else OPERATOR_URL (default http://127.0.0.1:$PORT).
 * Which credential, first found wins:
 *   1. `--token-file <path>` (the file's content, trimmed);
 *   2. OPERATOR_TOKEN;
 *   3. the personal token `portcullis login` cached for this URL (token-cache.ts), unless expired;
 *   4. outside production, the OPERATOR_TOKEN the server generated into DATA_DIR/dev-secrets.json.
 * Failures become CommandErrors an operator can act on: 401/403 exit 3 with the server's `error`
 * and `error_description`, everything else exit 1.
 */
import { readFile, stat } from 'node:fs/promises';
import { readDevOperatorToken } from '../config/dev-secrets.ts';
import { ADMIN_PREFIX } from '../rbac/scopes.ts';
import { type CliContext, CommandError, EXIT } from './run.ts';
import { readCachedToken } from './token-cache.ts';

export type CredentialSource = 'token-file' | 'OPERATOR_TOKEN' | 'login' | 'dev-secrets';

export interface Credential {
  token: string;
  source: CredentialSource;
}

export interface ConnectionOptions {
  url?: string | undefined;
  'token-file'?: string | undefined;
}

/** An answer other than 2xx, or no answer at all. */
export class OperatorCallError extends CommandError {
  override name = 'OperatorCallError';
  /** The HTTP status, or undefined when the server could not be reached. */
  readonly status: number | undefined;
  /** The server's stable `error` code. */
  readonly code: string | undefined;
  constructor(message: string, exitCode: number, status?: number, code?: string) {
    super(message, exitCode);
    this.status = status;
    this.code = code;
  }
}

/** 30 s: generating an RSA key and swapping the Provider take well under a second. */
const TIMEOUT_MS = 30_000;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface AdminClient {
  /** The base URL, without a trailing slash. */
  url: string;
  credential: Credential;
  /** A path under /admin/v1 (`/users?q=a`); the parsed JSON body, undefined for 204. */
  request<T = unknown>(method: Method, path: string, body?: unknown): Promise<T>;
  /** `timeoutMs` for the few reads that take long by nature (audit verify walks the whole trail). */
  get<T = unknown>(path: string, options?: { timeoutMs?: number }): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  patch<T = unknown>(path: string, body: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

export const baseUrl = (io: CliContext, options: ConnectionOptions): string => (options.url ?? io.config().operator.url).replace(/\/+$/, '');

async function fromTokenFile(path: string, io: CliContext): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
    // A token readable by others is as good as published on a shared machine: say so, still use it.
    if (((await stat(path)).mode & 0o077) !== 0) io.err(`warning: ${path} is readable by other users; chmod 600 it`);
  } catch (error) {
    throw new CommandError(`cannot read --token-file ${path}: ${(error as Error).message}`, EXIT.failed);
  }
  const token = text.trim();
  if (!token) throw new CommandError(`--token-file ${path} is empty`, EXIT.failed);
  return token;
}

/** Finds the credential in the order the header comment gives. */
export async function resolveCredential(io: CliContext, options: ConnectionOptions): Promise<Credential> {
  const config = io.config();
  if (options['token-file']) return { token: await fromTokenFile(options['token-file'], io), source: 'token-file' };
  if (config.operator.token) return { token: config.operator.token, source: 'OPERATOR_TOKEN' };
  const url = baseUrl(io, options);
  const cached = await readCachedToken(config.dataDir);
  const cachedHere = cached?.url === url ? cached : undefined;
  // A few seconds of margin: a token that expires in flight is refused by the server anyway.
  if (cachedHere && cachedHere.expiresAt > Date.now() / 1000 + 5) return { token: cachedHere.accessToken, source: 'login' };
  const expired = cachedHere ? `your login token expired at ${new Date(cachedHere.expiresAt * 1000).toISOString()}` : undefined;
  if (!config.production) {
    const generated = await readDevOperatorToken(config.dataDir).catch(() => undefined);
    if (generated) {
      if (expired) io.err(`note: ${expired}; using the generated OPERATOR_TOKEN from DATA_DIR/dev-secrets.json (portcullis login to act as yourself)`);
      return { token: generated, source: 'dev-secrets' };
    }
  }
  throw new CommandError(
    `no admin credential: OPERATOR_TOKEN is not set${expired ? `, ${expired}` : ''}; run \`portcullis login\`, pass --token-file <path>, ` +
      `or set OPERATOR_TOKEN${config.production ? '' : ' (or start the server beside this CLI, same DATA_DIR, to generate one)'}`,
    EXIT.failed,
  );
}

function hintFor(status: number, code: string | undefined, source: CredentialSource): string | undefined {
  if (status === 401 && source === 'login') return 'the login token was refused: run `portcullis login` again';
  if (status === 401)
    return `the server refused the token from ${source === 'token-file' ? '--token-file' : source}: it must match the server's OPERATOR_TOKEN or be an admin token it issued`;
  // Only a missing scope is cured by a role; other 403s (builtin_role, internal_client,
  // target_outranks_actor, …) refuse the act itself and the server's description says why.
  if (status === 403 && code === 'insufficient_scope')
    return 'the credential is valid but lacks the permission: ask an administrator for an admin role that has it';
  return undefined;
}

async function send(url: string, credential: Credential, method: Method, path: string, body: unknown, timeoutMs = TIMEOUT_MS): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${credential.token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${url}${ADMIN_PREFIX}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new OperatorCallError(`cannot reach the server at ${url} (${reason}); is it running? (OPERATOR_URL or --url)`, EXIT.failed);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed;
  const described = parsed as { error?: unknown; error_description?: unknown } | undefined;
  const code = typeof described?.error === 'string' ? described.error : undefined;
  const description = typeof described?.error_description === 'string' ? described.error_description : '';
  const detail = code ? `${response.status} ${code}: ${description}` : `HTTP ${response.status}`;
  // A 404 without our error shape is not the admin API at all.
  const hint = !code && response.status === 404 ? 'no admin API there: is OPERATOR_URL (or --url) right?' : hintFor(response.status, code, credential.source);
  const refused = response.status === 401 || response.status === 403;
  throw new OperatorCallError(hint ? `${detail} (${hint})` : detail, refused ? EXIT.refused : EXIT.failed, response.status, code);
}

/** The client for one command run; resolves the credential before the first request. */
export async function adminClient(io: CliContext, options: ConnectionOptions): Promise<AdminClient> {
  const url = baseUrl(io, options);
  const credential = await resolveCredential(io, options);
  const request = <T>(method: Method, path: string, body?: unknown) => send(url, credential, method, path, body) as Promise<T>;
  return {
    url,
    credential,
    request,
    get: <T>(path: string, options?: { timeoutMs?: number }) => send(url, credential, 'GET', path, undefined, options?.timeoutMs) as Promise<T>,
    post: (path, body) => request('POST', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
  };
}
