/**
 * Signing-key rotation under load: while clients keep asking for JWT access tokens, userinfo and
 * the JWKS, the server swaps its Provider three times for one built with freshly generated keys.
 * Every request must succeed, and afterwards tokens must be signed with the newest key.
 */
import { decodeProtectedHeader } from 'jose';
import { JWT_API, MACHINE } from '../fixtures.ts';
import { type Measurement, measure, type Plan } from '../load.ts';
import type { ServerChild } from '../servers/child.ts';
import { ccJwt, jwks, userinfo } from './endpoints.ts';

export interface RotationFigures {
  measurement: Measurement;
  swaps: number;
  /** The token issued after the last swap carries the kid of the last key generated. */
  newestKeySigns: boolean;
}

const SWAPS = 3;

function mixed(plans: Plan[]): Plan {
  return { requests: plans.flatMap((plan) => plan.requests), failures: () => plans.reduce((sum, plan) => sum + plan.failures(), 0) };
}

async function currentKid(url: string): Promise<string | undefined> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: MACHINE.id, client_secret: MACHINE.secret, scope: 'read', resource: JWT_API }),
  });
  const { access_token: token } = (await response.json()) as { access_token?: string };
  return token ? decodeProtectedHeader(token).kid : undefined;
}

export async function rotationUnderLoad(server: ServerChild, seconds: number, connections: number, poolSize: number): Promise<RotationFigures> {
  const plan = mixed([ccJwt(), await userinfo(server, poolSize), jwks()]);
  let swaps = 0;
  let lastKid: string | undefined;
  const timers = Array.from({ length: SWAPS }, (_, index) =>
    setTimeout(
      () => {
        server.call<{ kid: string }>('rotate').then(
          (result) => {
            swaps += 1;
            lastKid = result.kid;
          },
          (error: unknown) => process.stderr.write(`rotation failed: ${String(error)}\n`),
        );
      },
      ((index + 1) * seconds * 1000) / (SWAPS + 1),
    ),
  );
  const measurement = await measure({ url: server.url, connections, seconds }, plan);
  for (const timer of timers) clearTimeout(timer);
  return { measurement, swaps, newestKeySigns: lastKid !== undefined && (await currentKid(server.url)) === lastKid };
}
