/**
 * A relying party's back-channel logout endpoint on 127.0.0.1, recording the logout tokens it
 * receives, and the outbound fetch that lets the issuer reach it. oidc-provider refuses to
 * connect to loopback addresses (SSRF protection, by way of an undici dispatcher it adds to every
 * request); `loopbackFetch` drops that dispatcher, and only tests pass it in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALLBACK } from './rp.ts';

export interface Receiver {
  url: string;
  tokens: string[];
  /** Resolves with the next token received (or one already received and not yet taken). */
  next(): Promise<string>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const tokens: string[] = [];
  let taken = 0;
  const waiting: Array<(token: string) => void> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (req.method !== 'POST' || !token) {
        res.writeHead(400).end();
        return;
      }
      tokens.push(token);
      res.writeHead(200).end();
      const resolve = waiting.shift();
      if (resolve) {
        taken += 1;
        resolve(token);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel`,
    tokens,
    next() {
      if (taken < tokens.length) return Promise.resolve(tokens[taken++] as string);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const loopbackFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const { dispatcher: _ssrfGuard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
  return fetch(input, rest);
};

/** The relying party these tests sign in to when they watch back-channel logouts: `bcl-app`, sending them to `receiver`. */
export function backchannelClient(receiver: Receiver, scope = 'openid profile email offline_access') {
  return {
    client_id: 'bcl-app',
    client_secret: 'bcl-app-secret-that-is-long-enough',
    client_name: 'Back-Channel App',
    redirect_uris: [CALLBACK],
    grant_types: ['authorization_code', 'refresh_token'],
    scope,
    backchannel_logout_uri: receiver.url,
    backchannel_logout_session_required: true,
  };
}
