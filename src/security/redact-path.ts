/**
 * Paths as logs show them: the secret segment of a reset or verification link
 * (/password/reset/<token>, /email/verify/<token>) is replaced, so a log line never holds a
 * working link.
 */
const LINK_SECRET = /^(\/(?:password\/reset|email\/verify)\/)[^/]+/;

export const redactPath = (path: string): string => path.replace(LINK_SECRET, '$1[redacted]');
