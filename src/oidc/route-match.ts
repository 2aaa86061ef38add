/**
 * Which provider route a request path belongs to, compared the way oidc-provider's router
 * compares: static segments fold case (ASCII and the Unicode letters whose capital is a single
 * non-ASCII character, as its `fold` does), and one trailing slash is ignored. A path under a
 * route (`/auth/:uid`, `/session/end/confirm`) belongs to the longest route it extends.
 * `canonical` is the path with the route's own spelling and no trailing slash: a request whose
 * path differs from it reaches the provider only through the router's leniency.
 */
export interface RouteMatch<Name extends string> {
  name: Name;
  /** The route's configured path, e.g. /token. */
  route: string;
  canonical: string;
  /** The path is the route itself, not a path under it. */
  exact: boolean;
}

function ascii(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) if (value.charCodeAt(index) > 127) return false;
  return true;
}

/** oidc-provider's router folding (lib/helpers/router.js `fold`), kept identical on purpose. */
function fold(value: string): string {
  // Every request's path goes through here several times: for ASCII, folding is upper-casing.
  if (ascii(value)) return value.toUpperCase();
  let out = '';
  for (const char of value) {
    const upper = char.toUpperCase();
    out += upper.length === 1 && !((char.codePointAt(0) ?? 0) > 127 && (upper.codePointAt(0) ?? 0) < 128) ? upper : char;
  }
  return out;
}

export function createRouteMatcher<Name extends string>(routes: Iterable<readonly [Name, string]>) {
  const table = [...routes]
    .map(([name, route]) => ({ name, route, folded: fold(route), below: `${fold(route)}/` }))
    // Longest first: /token/introspection wins over /token.
    .sort((a, b) => b.route.length - a.route.length);

  // The edge asks about one request's path several times in a row (canonical spelling, 404,
  // budget, metrics label): the last answer is kept. A pure function of the path, so always right.
  let lastPath: string | undefined;
  let lastMatch: RouteMatch<Name> | undefined;

  function find(path: string): RouteMatch<Name> | undefined {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const folded = fold(trimmed);
    for (const { name, route, folded: prefix, below } of table) {
      if (folded === prefix) return { name, route, canonical: route, exact: true };
      if (folded.startsWith(below)) return { name, route, canonical: route + trimmed.slice(route.length), exact: false };
    }
    return undefined;
  }

  return function match(path: string): RouteMatch<Name> | undefined {
    if (path !== lastPath) {
      lastMatch = find(path);
      lastPath = path;
    }
    return lastMatch;
  };
}
