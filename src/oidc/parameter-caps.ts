/**
 * Size caps on the request parameters oidc-provider keeps. An authorization request's parameters
 * live in its Interaction for INTERACTION_TTL (1 h), a pushed request's for up to a minute, a
 * device request's for 10 minutes, and a logout's `state` in the browser session; oidc-provider
 * itself accepts whatever fits in a URL (a 12 KB `state` was kept for an hour). So before any of
 * those is saved, its parameters are measured, and an oversized request is refused with 400
 * `invalid_request` — shown as the error page (never redirected: the oversized `state` would ride
 * along) or as JSON on the JSON endpoints, and nothing is stored.
 *
 * The caps (characters):
 * - `state` and `nonce`: 512. Both are opaque values a client round-trips; a random value needs
 *   under 50, and 512 leaves room for a client that encodes a return path in its state.
 * - any other single parameter: 2048. `redirect_uri` must match a registered one anyway; an
 *   `id_token_hint` (an ID token) is about 1 KB; 2 KB is the classic safe URL length.
 * - all parameters together: 4096. A real authorization request is well under 1 KB.
 */
import { errors } from 'oidc-provider';
import type { ModelPayload, ModelStore } from '../storage/port.ts';
import { overrideModel } from './model-view.ts';

export const PARAMETER_CAPS = { stateOrNonce: 512, single: 2048, total: 4096 } as const;
/** The device's user agent is kept in the DeviceCode record; cut like a session's (activity.ts). */
const MAX_DEVICE_USER_AGENT = 512;

/** 400 invalid_request, rendered by oidc-provider and never sent back to the client's redirect_uri. */
export class ParameterTooLarge extends errors.InvalidRequest {
  constructor(description: string) {
    super(description);
    Object.assign(this, { allow_redirect: false });
  }
}

const lengthOf = (value: unknown): number => {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + lengthOf(item), 0);
  if (value === undefined || value === null) return 0;
  return JSON.stringify(value).length;
};

export function checkParameters(params: unknown): void {
  if (!params || typeof params !== 'object') return;
  let total = 0;
  for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
    const length = lengthOf(value);
    const cap = name === 'state' || name === 'nonce' ? PARAMETER_CAPS.stateOrNonce : PARAMETER_CAPS.single;
    if (length > cap) throw new ParameterTooLarge(`${name} must be at most ${cap} characters`);
    total += name.length + length;
  }
  if (total > PARAMETER_CAPS.total) {
    throw new ParameterTooLarge(`the request parameters must be at most ${PARAMETER_CAPS.total} characters in all`);
  }
}

/** A pushed request is kept as an unsecured JWT of its parameters; its middle part holds them. */
function pushedParameters(request: unknown): unknown {
  if (typeof request !== 'string') return undefined;
  const body = request.split('.')[1];
  if (!body) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function checked(model: string, payload: ModelPayload): ModelPayload {
  switch (model) {
    case 'Interaction':
      checkParameters(payload.params);
      return payload;
    case 'PushedAuthorizationRequest':
      checkParameters(pushedParameters(payload.request));
      return payload;
    case 'DeviceCode': {
      checkParameters(payload.params);
      const info = payload.deviceInfo as { ua?: unknown } | undefined;
      if (info && typeof info.ua === 'string' && info.ua.length > MAX_DEVICE_USER_AGENT) {
        return { ...payload, deviceInfo: { ...info, ua: info.ua.slice(0, MAX_DEVICE_USER_AGENT) } };
      }
      return payload;
    }
    case 'Session': {
      // GET /session/end keeps the logout's `state` in the session until the person confirms.
      const logout = payload.state as { state?: unknown } | undefined;
      if (logout && lengthOf(logout.state) > PARAMETER_CAPS.stateOrNonce) {
        throw new ParameterTooLarge(`state must be at most ${PARAMETER_CAPS.stateOrNonce} characters`);
      }
      return payload;
    }
    default:
      return payload;
  }
}

export function capStoredParameters(inner: ModelStore, model: string): ModelStore {
  return overrideModel(inner, {
    upsert: (id, payload, expiresIn) => inner.upsert(id, checked(model, payload), expiresIn),
  });
}
