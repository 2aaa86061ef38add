/**
 * The types every interaction module shares, in a file that imports no handler: the router, the
 * pipeline and the handlers all point here, never at each other.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/service.ts';
import type { AuditBus } from '../audit/bus.ts';
import type { LoginGuard } from '../lockout/login-attempts.ts';
import type { PasskeyService } from '../mfa/passkeys/service.ts';
import type { MfaPolicy } from '../mfa/policy.ts';
import type { MfaService } from '../mfa/service.ts';
import type { ProviderHolder } from '../oidc/holder.ts';
import type { SignInBreachCheck } from '../passwords/sign-in-check.ts';
import type { PasswordPolicy, SendResetLink } from '../passwords/types.ts';
import type { ReplaceCompromisedPassword } from '../sessions/compromised-password-change.ts';
import type { SessionLimit } from '../sessions/limit.ts';
import type { ReplaceRequiredPassword } from '../sessions/required-password-change.ts';
import type { Renderer } from '../views/render.ts';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface InteractionDeps {
  holder: ProviderHolder;
  accounts: AccountService;
  audit: AuditBus;
  render: Renderer;
  guard: LoginGuard;
  mfa: MfaService;
  policy: MfaPolicy;
  /** Passkeys (mfa/passkeys/); undefined when off (an IP-address issuer without WEBAUTHN_RP_ID). */
  passkeys?: PasskeyService | undefined;
  /** The clock that verifies codes (epoch ms); auth_time of a second-factor sign-in comes from it. */
  now: () => number;
  /** The concurrent-session limit, asked once a sign-in (not a step-up) is complete (sessions/limit.ts). */
  sessionLimit: SessionLimit;
  /** Stores the password a person marked `must_change` chooses at sign-in (sessions/required-password-change.ts). */
  replaceRequiredPassword: ReplaceRequiredPassword;
  /** The breach check at sign-in: a verdict at the password step, acted on after every factor (passwords/sign-in-check.ts). */
  breachAtSignIn: SignInBreachCheck;
  /** Stores the password a person chooses when theirs was found in a breach (sessions/compromised-password-change.ts). */
  replaceCompromisedPassword: ReplaceCompromisedPassword;
  /** Mails a reset link to the person's verified address (a breached password without a second factor); undefined with PASSWORD_RESET=off. */
  sendResetLink: SendResetLink | undefined;
  /** The password policy's numbers, shown on the new-password page. */
  passwordRules: PasswordPolicy['rules'];
}

/**
 * A step of the sign-in that a route serves, read from the stored interaction only. `at` answers
 * what the handler needs to know about the step, or undefined when the interaction is elsewhere.
 */
export interface Step<S> {
  name: StepName;
  at(interaction: Interaction): S | undefined;
}

/** `any`: the route serves every step (the page that shows the current step, abort). */
export type StepName = 'login' | 'new_password' | 'mfa' | 'consent' | 'any';

/** What the pipeline (pipeline.ts) hands a route once the prologue has passed. */
export interface StepContext<Form, S> {
  ctx: Context;
  /** The caller wants JSON answers (API clients) rather than pages. */
  json: boolean;
  form: Form;
  provider: Provider;
  interaction: Interaction;
  step: S;
}

export type StepHandler<Form, S> = (deps: InteractionDeps, request: StepContext<Form, S>) => Promise<void>;
