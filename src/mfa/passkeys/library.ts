/**
 * @simplewebauthn/server, loaded on the first ceremony rather than at start-up: an idle server
 * (and every process that never sees a passkey) does not pay for it. One import, shared.
 */
type Server = typeof import('@simplewebauthn/server');
type Helpers = typeof import('@simplewebauthn/server/helpers');

let loading: Promise<{ server: Server; helpers: Helpers }> | undefined;

export function webauthn(): Promise<{ server: Server; helpers: Helpers }> {
  loading ??= Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')]).then(([server, helpers]) => ({ server, helpers }));
  return loading;
}
