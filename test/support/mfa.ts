/**
 * Helpers for second-factor tests: a clock the test moves, TOTP codes computed from a secret the
 * way an authenticator app would, and a cookie-keeping driver that walks the interaction pages
 * (password, code, enrolment, consent) and reports which pages it saw.
 */
import { generate } from 'otplib';
import type { Browserless } from './browserless.ts';
import type { TestServer } from './server.ts';

export class TestClock {
  private time: number;
  constructor(start = Date.now()) {
    this.time = start;
  }
  readonly now = (): number => this.time;
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

export async function totpAt(secret: string, clock: TestClock, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(clock.now() / 1000) + offsetSteps * 30 });
}

/** Sets up TOTP for a person directly through the service; the clock moves on one step after. */
export async function enrolDirectly(server: TestServer, username: string, clock: TestClock) {
  const account = await server.portcullis.accounts.findByUsername(username);
  if (!account) throw new Error(`no account ${username}`);
  const surface = { kind: 'session', id: `test-${account.id}` } as const;
  const { secret } = await server.portcullis.mfa.beginEnrolment(account.id, username, surface);
  const result = await server.portcullis.mfa.completeEnrolment(account.id, await totpAt(secret, clock), surface);
  if (!result.ok) throw new Error('enrolment failed');
  clock.advance(30);
  return { accountId: account.id, secret, backupCodes: result.backupCodes };
}

export type Step = 'login' | 'mfa' | 'enrol' | 'backup_codes' | 'codes_left' | 'consent';

export interface DriveOptions {
  username?: string;
  password?: string;
  /** The code to type on the second-factor page (TOTP or backup code). */
  code?: () => Promise<string>;
  /** Called with the secret shown on an enrolment page; returns the first code. */
  enrolCode?: (secret: string) => Promise<string>;
}

export interface DriveResult {
  /** Where the browser ended up outside the issuer (the client's callback). */
  callback: URL;
  seen: Step[];
  secret?: string;
  backupCodes?: string[];
}

const field = (html: string, pattern: RegExp) => pattern.exec(html)?.[1];

export async function drive(browser: Browserless, start: string, options: DriveOptions): Promise<DriveResult> {
  const seen: Step[] = [];
  const result: Partial<DriveResult> = {};
  let { response, url } = await browser.follow(start);
  for (let hops = 0; hops < 8; hops += 1) {
    if (!url.startsWith(browser.base)) return { ...result, callback: new URL(url), seen };
    const html = await response.text();
    const csrf = field(html, /name="csrf" value="([^"]+)"/);
    const uid = field(html, /\/interaction\/([A-Za-z0-9_-]+)\//);
    const next = field(html, /id="continue" href="([^"]+)"/);
    let posted: Response;
    if (html.includes('id="backup-codes"') && next) {
      seen.push('backup_codes');
      result.backupCodes = [...html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((match) => match[1] as string);
      ({ response, url } = await browser.follow(next.replaceAll('&amp;', '&')));
      continue;
    }
    if (html.includes('id="codes-left"') && next) {
      seen.push('codes_left');
      ({ response, url } = await browser.follow(next.replaceAll('&amp;', '&')));
      continue;
    }
    if (!csrf || !uid) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 400)}`);
    if (html.includes('name="password"')) {
      seen.push('login');
      posted = await browser.postForm(`/interaction/${uid}/login`, { csrf, username: options.username ?? 'alice', password: options.password ?? '' });
    } else if (html.includes(`/interaction/${uid}/mfa/enrol"`)) {
      seen.push('enrol');
      const secret = field(html, /id="totp-secret" class="secret">([^<]+)</)?.replace(/\s/g, '');
      if (!secret || !options.enrolCode) throw new Error('enrolment page without secret, or no enrolCode given');
      result.secret = secret;
      posted = await browser.postForm(`/interaction/${uid}/mfa/enrol`, { csrf, code: await options.enrolCode(secret) });
    } else if (html.includes(`/interaction/${uid}/mfa"`)) {
      seen.push('mfa');
      if (!options.code) throw new Error('second-factor page, but no code given');
      posted = await browser.postForm(`/interaction/${uid}/mfa`, { csrf, code: await options.code() });
    } else if (html.includes(`/interaction/${uid}/confirm`)) {
      seen.push('consent');
      posted = await browser.postForm(`/interaction/${uid}/confirm`, { csrf });
    } else {
      throw new Error(`no known form at ${url}`);
    }
    if (posted.status === 200) {
      response = posted;
      continue;
    }
    if (posted.status !== 303) throw new Error(`form answered ${posted.status}: ${(await posted.text()).slice(0, 400)}`);
    ({ response, url } = await browser.follow(new URL(posted.headers.get('location') as string, browser.base).href));
  }
  throw new Error(`authorization did not finish; saw ${seen.join(', ')}`);
}
