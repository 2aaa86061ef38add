/**
 * The CLI's one client of the admin API (/admin/v1): one authenticated JSON request to the running server
 * (OPERATOR_URL, OPERATOR_TOKEN), with failures turned into messages an operator can act on.
 */
import type { Config } from '../config/index.ts';

export class OperatorCallError extends Error {
  override name = 'OperatorCallError';
}

/** 30 s: generating an RSA key and swapping the Provider take well under a second. */
const TIMEOUT_MS = 30_000;

const HINTS: Record<number, string> = {
  401: "the server refused the token: OPERATOR_TOKEN must match the server's",
  404: 'no admin API there: is OPERATOR_URL (or --url) right?',
};

export async function callOperator(operator: Config['operator'], method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  if (!operator.token) {
    throw new OperatorCallError('OPERATOR_TOKEN is not set: the server enables its admin API with it, and the CLI sends the same value');
  }
  const headers: Record<string, string> = { authorization: `Bearer ${operator.token}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${operator.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new OperatorCallError(`cannot reach the server at ${operator.url} (${reason}); is it running? (OPERATOR_URL)`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const described = parsed as { error?: string; error_description?: string } | undefined;
    const detail = described?.error ? `${response.status} ${described.error}: ${described.error_description ?? ''}` : `HTTP ${response.status}`;
    const hint = HINTS[response.status];
    throw new OperatorCallError(hint ? `${detail} (${hint})` : detail);
  }
  return parsed;
}
