/** What the /account routes need, passed in by the composition root. */

import type { JWK } from 'jose';
import type { Profile } from '../accounts/profile.ts';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { PasskeyService } from '../mfa/passkeys/service.ts';
import type { MfaService } from '../mfa/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import type { InProcessPoster } from '../oidc/in-process.ts';
import type { EmailChange } from '../passwords/email-change.ts';
import type { PasswordPolicy } from '../passwords/types.ts';
import type { Clock } from '../platform/clock.ts';
import type { ConnectedApps } from '../sessions/connected-apps.ts';
import type { ChangePassword } from '../sessions/password-change.ts';
import type { SessionService } from '../sessions/service.ts';
import type { AuditRepository, MfaRepository } from '../storage/port.ts';
import type { Renderer } from '../views/render.ts';
import type { ConsoleCookies } from './cookies.ts';

export interface ConsoleDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  sessions: SessionService;
  changePassword: ChangePassword;
  /** The password policy's numbers, shown on the password page. */
  passwordRules: PasswordPolicy['rules'];
  mfa: MfaService;
  /** Passkeys (mfa/passkeys/); undefined when off. */
  passkeys?: PasskeyService | undefined;
  render: Renderer;
  /** The clock (epoch ms) a sign-in's freshness is measured by (setting up a second factor). */
  now: Clock;
  /** ISSUER: the console signs in through it and checks the ID token's `iss` against it. */
  issuer: string;
  /** The console's sign-in transaction and session cookies. */
  cookies: ConsoleCookies;
  /** A form POST to the provider in process (the token endpoint). */
  post: InProcessPoster;
  /** The name change (accounts/profile.ts). */
  profile: Profile;
  /** Email change by a link to the new address (passwords/email-change.ts). */
  emailChange: EmailChange;
  /** ACCOUNT_REAUTH_MAX_AGE, seconds: sensitive changes need a sign-in at most this old (step-up.ts). */
  reauthMaxAge: number;
  /** The public keys the issuer publishes now, for the ID token's signature. */
  verificationKeys: () => JWK[];
  /** The apps holding a grant of the person, and revoking them (Connected apps). */
  apps: ConnectedApps;
  audit: AuditBus;
  /** The stored audit trail, read for the person's own Security activity. */
  auditLog: Pick<AuditRepository, 'list'>;
  /** The person's second factors as stored, for Your data (which copies no secret of them). */
  factors: Pick<MfaRepository, 'listByAccount'>;
}
