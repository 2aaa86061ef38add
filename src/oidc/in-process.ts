/**
 * One HTTP request to the live provider without a network: the request travels over an in-memory
 * socket pair (node:stream duplexPair) into the provider's own Node handler, so it passes every
 * check the token endpoint makes (PKCE, redirect_uri, single use of the code) exactly as a remote
 * client's would. Used by the account console, a relying party of its own issuer: calling the
 * issuer's public URL from inside would depend on DNS, TLS and the proxy in front, which need not
 * be reachable from the server itself.
 */
import { createServer, request } from 'node:http';
import { duplexPair } from 'node:stream';
import type { ProviderHolder } from './holder.ts';

export interface InProcessResponse {
  status: number;
  body: string;
}

/** 10 s: the token endpoint answers in milliseconds; anything slower is a fault, not a wait. */
const TIMEOUT_MS = 10_000;

export function createInProcessPoster(holder: ProviderHolder, issuer: string) {
  const { host, protocol } = new URL(issuer);
  const base = new URL(issuer).pathname.replace(/\/$/, '');
  return (path: string, form: Record<string, string>): Promise<InProcessResponse> => {
    const server = createServer((req, res) => void holder.handler()(req, res));
    const [serverSide, clientSide] = duplexPair();
    server.emit('connection', serverSide);
    const body = new URLSearchParams(form).toString();
    return new Promise<InProcessResponse>((resolve, reject) => {
      const req = request(
        {
          createConnection: () => clientSide as never,
          method: 'POST',
          path: `${base}${path}`,
          // The issuer's own host and scheme, as the proxy in front would say them.
          headers: {
            host,
            'x-forwarded-proto': protocol.replace(':', ''),
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            accept: 'application/json',
            connection: 'close',
          },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('in-process request timed out')));
      req.on('error', reject);
      req.end(body);
    }).finally(() => {
      serverSide.destroy();
      clientSide.destroy();
      server.close();
    });
  };
}

export type InProcessPoster = ReturnType<typeof createInProcessPoster>;
