/**
 * A loopback fake of Have I Been Pwned's range API (GET <url><5 hex>), on 127.0.0.1 only, so no
 * test reaches the internet. It answers `SUFFIX:COUNT` lines for the passwords it was given,
 * adds padding rows with count 0 when asked with `Add-Padding: true` (as the real API does), and
 * records every request's path and headers, so a test can prove what left the server.
 *
 * Modes: `up`; `down` (the connection is cut before any answer); `slow` (answers after 3 s, past
 * the 1.5 s budget); `error` (500); `huge` (an endless-looking 2 MB body); `garbage` (an HTML page).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PwnedMode = 'up' | 'down' | 'slow' | 'error' | 'huge' | 'garbage';

export interface PwnedRequest {
  path: string;
  headers: IncomingHttpHeaders;
}

export interface FakePwned {
  /** The range API's base, for PASSWORD_BREACH_API (`http://127.0.0.1:<port>/range/`). */
  url: string;
  requests: PwnedRequest[];
  mode: PwnedMode;
  /** Adds a password to the corpus (count > 0), or as a padding row only (count 0). */
  add(password: string, count?: number): void;
  close(): Promise<void>;
}

export const SLOW_MS = 3_000;

/** Upper-case hex SHA-1 of the NFKC form, as the server computes it. */
export function sha1Hex(password: string): string {
  return createHash('sha1').update(password.normalize('NFKC'), 'utf8').digest('hex').toUpperCase();
}

/** Deterministic filler suffixes for padding rows (35 hex characters each). */
function paddingSuffix(prefix: string, index: number): string {
  return createHash('sha1').update(`padding:${prefix}:${index}`).digest('hex').toUpperCase().slice(5);
}

export async function startPwned(corpus: Record<string, number> = {}): Promise<FakePwned> {
  /** Full hash → count (0: appears only as a padding row). */
  const rows = new Map<string, number>();
  const add = (password: string, count = 1) => rows.set(sha1Hex(password), count);
  for (const [password, count] of Object.entries(corpus)) add(password, count);
  const requests: PwnedRequest[] = [];
  const fake = { mode: 'up' as PwnedMode };

  const server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    const mode = fake.mode;
    if (mode === 'down') {
      request.socket.destroy();
      return;
    }
    const prefix = /\/range\/([0-9A-F]{5})$/.exec(request.url ?? '')?.[1];
    if (mode === 'error' || !prefix) {
      response.writeHead(prefix ? 500 : 404, { 'content-type': 'text/plain' }).end(prefix ? 'internal error' : 'not found');
      return;
    }
    if (mode === 'garbage') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to the Wi-Fi</body></html>');
      return;
    }
    if (mode === 'huge') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const line = `${'A'.repeat(35)}:1\r\n`;
      response.end(line.repeat(Math.ceil((2 * 1024 * 1024) / line.length)));
      return;
    }
    const lines: string[] = [];
    for (const [hash, count] of rows) {
      if (!hash.startsWith(prefix)) continue;
      if (count > 0 || request.headers['add-padding'] === 'true') lines.push(`${hash.slice(5)}:${count}`);
    }
    if (request.headers['add-padding'] === 'true') {
      for (let index = 0; index < 20; index += 1) lines.push(`${paddingSuffix(prefix, index)}:0`);
    }
    // The real API ends lines with CRLF and sorts by suffix.
    const body = lines.sort().join('\r\n');
    const answer = () => {
      if (!response.destroyed) response.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    };
    if (mode === 'slow') setTimeout(answer, SLOW_MS).unref();
    else answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/range/`,
    requests,
    add,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
