/**
 * The browser behind a sign-in event, for the person's own security activity ("Firefox 128 on
 * Linux", console/activity-words.ts). Only sign-in events carry it: those are the ones a person
 * reads to spot a stranger. It is a personal field (PERSONAL_AUDIT_FIELDS): erasure scrubs it.
 * 512 characters, as sessions/activity.ts keeps: real user agents are shorter, and a crafted one
 * must not grow the stored trail.
 */
import { currentRequest } from '../platform/request-context.ts';

const MAX_USER_AGENT = 512;

export function requestUserAgent(): { userAgent?: string } {
  const userAgent = currentRequest()?.userAgent;
  return userAgent ? { userAgent: userAgent.slice(0, MAX_USER_AGENT) } : {};
}
