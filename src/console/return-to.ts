/**
 * Where a console sign-in returns to: a path of this console and nothing else. The value comes
 * from the address the person asked for (and travels in a signed cookie), but it is checked again
 * on the way out, so no spelling of another origin — `//evil.example`, `/\evil`, `https://…`,
 * an encoded slash or a control character — can turn the callback into an open redirect.
 */
const HOME = '/account';
/** Printable ASCII without backslash; a browser folds `\` into `/`, and controls are stripped. */
const SAFE = /^[\x21-\x5b\x5d-\x7e]*$/;

export function safeReturnTo(candidate: unknown): string {
  if (typeof candidate !== 'string' || candidate.length > 512 || !SAFE.test(candidate) || candidate.includes('//')) return HOME;
  if (!(candidate === HOME || candidate.startsWith(`${HOME}/`) || candidate.startsWith(`${HOME}?`))) return HOME;
  // Resolve it as a browser would, against a placeholder origin: it must stay on that origin and
  // below /account, and the callback itself is never a destination (it would loop).
  let url: URL;
  try {
    url = new URL(candidate, 'http://console.invalid');
  } catch {
    return HOME;
  }
  if (url.origin !== 'http://console.invalid') return HOME;
  if (!(url.pathname === HOME || url.pathname.startsWith(`${HOME}/`))) return HOME;
  if (url.pathname.startsWith(`${HOME}/callback`)) return HOME;
  return `${url.pathname}${url.search}`;
}
