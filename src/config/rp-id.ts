/**
 * Which WebAuthn relying-party ids an issuer may use (WEBAUTHN_RP_ID). A browser accepts an RP id
 * that is the page's host or a registrable parent domain of it (WebAuthn L3 § 5.1.3 / HTML's
 * "registrable domain suffix"), and never an IP address. Passkeys are bound to the RP id for good,
 * so a wrong one is a start-up failure, not a surprise at the first ceremony.
 *
 * "Not a bare public suffix" needs the Public Suffix List for an exact answer (a library such as
 * `tldts`, not installed). Without it the rule is conservative: a parent domain must have at
 * least two labels, and a two-label parent whose last label is a two-letter country code and
 * whose first is a short generic second level (co.uk, com.au, ac.jp, …) is refused too.
 */
import { isIP } from 'node:net';

const GENERIC_SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'ltd', 'me', 'mil', 'net', 'nhs', 'org', 'plc', 'sch', 'ne', 'or', 'go', 'gob', 'nic']);

/** Hosts that are a public suffix themselves but no ccTLD pair (a partial list; the PSL has thousands). */
const KNOWN_SUFFIXES = new Set([
  'github.io',
  'herokuapp.com',
  'vercel.app',
  'netlify.app',
  'pages.dev',
  'workers.dev',
  'blogspot.com',
  'appspot.com',
  'cloudfront.net',
  'azurewebsites.net',
]);

const bare = (host: string) => host.replace(/^\[|\]$/g, '');

/** Why `rpId` cannot serve the issuer host `host`, or undefined when it can. */
export function rpIdProblem(rpId: string, host: string): string | undefined {
  if (isIP(bare(rpId)) !== 0) return 'must be a domain name, not an IP address (WebAuthn refuses IP addresses)';
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(rpId)) return `"${rpId}" is not a domain name`;
  if (rpId === host) return undefined;
  if (!host.endsWith(`.${rpId}`)) return `must be the issuer's host (${host}) or a parent domain of it`;
  const labels = rpId.split('.');
  if (labels.length < 2 || KNOWN_SUFFIXES.has(rpId)) return `"${rpId}" is a public suffix: passkeys for it would be usable by every site under it`;
  const [first, last] = [labels[0] as string, labels[labels.length - 1] as string];
  if (labels.length === 2 && last.length === 2 && GENERIC_SECOND_LEVEL.has(first))
    return `"${rpId}" looks like a public suffix (such as co.uk): name your own domain`;
  return undefined;
}

/** The RP id passkeys use: WEBAUTHN_RP_ID, or the issuer's host unless that is an IP address (then passkeys are off). */
export function effectiveRpId(configured: string | undefined, host: string): string | undefined {
  if (configured !== undefined) return configured;
  return isIP(bare(host)) === 0 ? host : undefined;
}
