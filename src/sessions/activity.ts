/**
 * What we know about a browser session beyond what oidc-provider keeps: the user agent and IP
 * of its last use, and when that was. Stored inside the Session record itself (key `activity`),
 * written whenever oidc-provider saves the session — on every authorization request, sign-in
 * and logout that uses it — so it needs no extra write, expires with the session, and cannot
 * outlive or disagree with it. oidc-provider ignores keys it does not know when it reads a
 * record back, and each save writes them afresh from the request at hand.
 */

import { overrideModel } from '../oidc/model-view.ts';
import type { ModelPayload, ModelStore } from '../storage/port.ts';

export const ACTIVITY = 'activity';

export interface SessionActivity {
  ip?: string;
  userAgent?: string;
  /** Milliseconds since the epoch. */
  lastActiveAt: number;
}

export interface RequestFacts {
  ip: string;
  userAgent: string;
}

// Enough for any real browser's user agent; longer ones are cut, not stored whole.
const MAX_USER_AGENT = 512;

export function trackSessionActivity(inner: ModelStore, current: () => RequestFacts | undefined, clock: () => number): ModelStore {
  return overrideModel(inner, {
    async upsert(id, payload, expiresIn) {
      const request = current();
      if (!request) return inner.upsert(id, payload, expiresIn);
      const activity: SessionActivity = { lastActiveAt: clock() };
      if (request.ip) activity.ip = request.ip;
      if (request.userAgent) activity.userAgent = request.userAgent.slice(0, MAX_USER_AGENT);
      return inner.upsert(id, { ...payload, [ACTIVITY]: activity }, expiresIn);
    },
  });
}

export function readActivity(payload: ModelPayload): SessionActivity | undefined {
  const value = payload[ACTIVITY] as Partial<SessionActivity> | undefined;
  if (!value || typeof value.lastActiveAt !== 'number') return undefined;
  return {
    lastActiveAt: value.lastActiveAt,
    ...(typeof value.ip === 'string' ? { ip: value.ip } : {}),
    ...(typeof value.userAgent === 'string' ? { userAgent: value.userAgent } : {}),
  };
}
