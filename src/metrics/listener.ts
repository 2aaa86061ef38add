/**
 * The metrics listener: its own node:http server on METRICS_HOST:METRICS_PORT, apart from the
 * public app, so /metrics is never reachable on the public port by a routing mistake. It answers
 * `GET /metrics` (and HEAD) and nothing else: 404 for any other path, 405 for other methods.
 * With METRICS_TOKEN set a scraper must send `Authorization: Bearer <token>`; the comparison
 * is of SHA-256 digests in constant time, so neither the token nor its length leaks by timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsListenerOptions {
  registry: Registry;
  token: string | undefined;
  onError(error: unknown): void;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function authorised(header: string | undefined, expected: Buffer | undefined): boolean {
  if (!expected) return true;
  const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function createMetricsServer(options: MetricsListenerOptions): Server {
  const expected = options.token ? digest(options.token) : undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return answer(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    if (!authorised(req.headers.authorization, expected)) {
      return answer(res, 401, 'a bearer token is required\n', { 'www-authenticate': 'Bearer realm="portcullis-metrics"' });
    }
    const body = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError(error);
      if (!res.headersSent) answer(res, 500, 'metrics unavailable\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;
  return server;
}
