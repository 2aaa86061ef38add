/**
 * What an app may access, in the words a person reads on the Connected apps page. OpenID Connect
 * scopes get a sentence each; a scope we have no sentence for is named as it is, quoted, rather
 * than guessed at. Resource servers (RFC 8707) are named by their host: the identifier is a URL a
 * person may recognise, its path and query rarely mean anything to them.
 */
const OPENID_WORDS: Readonly<Record<string, string>> = {
  openid: 'Know who you are when you sign in',
  profile: 'Your name and profile',
  email: 'Your email address',
  offline_access: 'Stay signed in when you are not using it',
  roles: 'Your roles',
  address: 'Your postal address',
  phone: 'Your phone number',
};

export function scopeWords(scope: string): string {
  return OPENID_WORDS[scope] ?? `Permission “${scope}”`;
}

/** `https://api.example.com/v1` → `api.example.com`; an identifier that is no URL stays as it is. */
export function resourceName(identifier: string, adminResource: string): string {
  let host: string;
  try {
    host = new URL(identifier).host || identifier;
  } catch {
    host = identifier;
  }
  return identifier === adminResource ? `${host} (administration of this sign-in service)` : host;
}
