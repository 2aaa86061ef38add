/**
 * The composition root: the only module that wires domains together. Everything else receives
 * its dependencies as arguments. `createPortcullis` builds a ready-to-listen instance; tests build
 * several side by side.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type { JWK } from 'jose';
import Koa, { type Context, type Next } from 'koa';
import type { Configuration } from 'oidc-provider';
import { createAdminUsers, type Notify } from './accounts/admin-users.ts';
import { announceFirstRun } from './accounts/first-run.ts';
import { createPasswordHasher } from './accounts/hashing.ts';
import { createProfile } from './accounts/profile.ts';
import { type AccountService, createAccountService } from './accounts/service.ts';
import { createAdminAuth } from './admin/auth.ts';
import { ADMIN_PREFIX } from './admin/paths.ts';
import { adminRouter } from './admin/router.ts';
import { mfaSummary } from './admin/user-view.ts';
import { type AuditBus, createAuditBus } from './audit/bus.ts';
import type { AuditRetention } from './audit/retention.ts';
import { attachAuditSinks } from './audit/sinks.ts';
import { type AuditTrail, createAuditTrail } from './audit/trail.ts';
import { applyBootstrap, readBootstrapFile } from './bootstrap/apply.ts';
import { resolveSecrets } from './config/dev-secrets.ts';
import type { Config } from './config/index.ts';
import { consoleCookies } from './console/cookies.ts';
import { rootRouter } from './console/root.ts';
import { consoleRouter } from './console/router.ts';
import { healthRouter } from './health/router.ts';
import { withPasskeyLocals } from './interactions/passkey/page-locals.ts';
import { interactionRouter } from './interactions/router.ts';
import { publicJwks } from './keys/keystore.ts';
import { createKeyManager, type KeyManager } from './keys/manager.ts';
import { keyPolicy, longestSignedTokenLifetime } from './keys/policy.ts';
import { createRedisSignal } from './keys/redis-signal.ts';
import { createSealer, type Sealer } from './keys/sealing.ts';
import { localSignal } from './keys/signal.ts';
import { openLockout } from './lockout/index.ts';
import type { Limiter } from './lockout/limiter.ts';
import type { LoginGuard } from './lockout/login-attempts.ts';
import { createLoginGuard } from './lockout/login-guard.ts';
import { createMfaGuard } from './lockout/mfa-guard.ts';
import { createPasskeyAddressGuard } from './lockout/passkey-guard.ts';
import { createMail, type Mail, subscribeFactorNotices } from './mail/index.ts';
import type { Metrics, MetricsListener } from './metrics/index.ts';
import { openInstruments } from './metrics/instruments.ts';
import { ACR_VALUES } from './mfa/acr.ts';
import type { MfaAttemptLimiter } from './mfa/attempts.ts';
import { createPasskeys, type PasskeyService } from './mfa/passkeys/index.ts';
import { createMfaPolicy } from './mfa/policy.ts';
import { createMfaService, type MfaService } from './mfa/service.ts';
import { createTotp } from './mfa/totp.ts';
import { createFindAccount } from './oidc/account.ts';
import { createAdapterClass } from './oidc/adapter.ts';
import { createAdminResource } from './oidc/admin-resource.ts';
import { protectAtRest } from './oidc/at-rest.ts';
import { createBackchannelSender } from './oidc/backchannel.ts';
import { bearerKey } from './oidc/bearer-ids.ts';
import { createProviderFactory, type ProviderFactory } from './oidc/build.ts';
import { createClientGrantRevoker } from './oidc/client-grants.ts';
import { createClientRegistry } from './oidc/client-registry.ts';
import { createGrantRevoker } from './oidc/grants.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/holder.ts';
import { createInProcessPoster } from './oidc/in-process.ts';
import { internalClients } from './oidc/internal-clients.ts';
import { withJwksCacheControl } from './oidc/jwks-cache.ts';
import { buildInteractionPolicy } from './oidc/mfa-prompt.ts';
import { modelView } from './oidc/model-view.ts';
import { outboundFetch } from './oidc/outbound.ts';
import { warnAboutRefusedTargets } from './oidc/outbound-targets.ts';
import { capStoredParameters } from './oidc/parameter-caps.ts';
import { guardRefreshTokens } from './oidc/refresh/guard.ts';
import { createReuseResponse } from './oidc/refresh/reuse.ts';
import { RESOURCE_CHANNEL, syncResources } from './oidc/resource-sync.ts';
import { createResourceRegistry, type ResourceRegistry } from './oidc/resources.ts';
import { createRouteMatcher } from './oidc/route-match.ts';
import { BROWSER_ENDPOINTS, PROVIDER_ROUTES, providerRoutes } from './oidc/routes.ts';
import { type BreachClient, createBreachCheck } from './passwords/breach.ts';
import { createEmailChange } from './passwords/email-change.ts';
import { createPasswordPolicy } from './passwords/policy.ts';
import { MEMORY_RANGES, memoryRangeCache, openRangeCache } from './passwords/range-cache.ts';
import { createRegistration, type Registration } from './passwords/registration.ts';
import { createPasswordReset, type PasswordReset } from './passwords/reset.ts';
import { createSignInBreachCheck } from './passwords/sign-in-check.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { currentRequest } from './platform/request-context.ts';
import { createRoleRegistry } from './rbac/roles.ts';
import { adminResourceOf } from './rbac/scopes.ts';
import { wantsJson } from './security/body.ts';
import { browserBudget } from './security/browser-budget.ts';
import { canonicalProviderPaths } from './security/canonical-paths.ts';
import { createClientIpResolver } from './security/client-ip.ts';
import { createCookieKeys } from './security/cookie-keys.ts';
import { corsPolicy } from './security/cors.ts';
import { csrfProtection } from './security/csrf.ts';
import { bindToInteractionOrSession } from './security/csrf-binding.ts';
import { endpointGuard } from './security/endpoint-guard.ts';
import { errorHandler } from './security/error-handler.ts';
import { securityHeaders } from './security/headers.ts';
import { httpsOnly } from './security/https-only.ts';
import { machineLane } from './security/machine-lane.ts';
import { notFoundUnlessProvider } from './security/not-found.ts';
import { requestContext } from './security/request-context.ts';
import { mountRouter, ROUTER_OPTIONS } from './security/routing.ts';
import { withSelfServiceLinks } from './self-service/links.ts';
import { selfServiceRouter } from './self-service/router.ts';
import { createAccountGrantRevoker } from './sessions/account-grants.ts';
import { trackSessionActivity } from './sessions/activity.ts';
import { createAdminGrantRevoker } from './sessions/admin-grants.ts';
import { createCompromisedPasswordChange } from './sessions/compromised-password-change.ts';
import { createConnectedApps } from './sessions/connected-apps.ts';
import { createSessionLimit } from './sessions/limit.ts';
import { createPasswordChange } from './sessions/password-change.ts';
import { createRequiredPasswordChange } from './sessions/required-password-change.ts';
import { createSessionService, type SessionService } from './sessions/service.ts';
import { openStore } from './storage/index.ts';
import type { Store } from './storage/port.ts';
import { ASSETS_DIR, createRenderer } from './views/render.ts';
import { scriptAssets } from './views/scripts.ts';

export interface PortcullisOptions {
  logger?: Logger;
  /** An already opened store (tests share one between instances). */
  store?: Store;
  /**
   * The clock (epoch ms) behind every decision by time: TOTP steps, the in-process lockout
   * counters, the refresh-token grace window, session activity and audit retention. Tests move it
   * instead of sleeping.
   */
  now?: Clock;
  /** How a person is told an admin reset their factors or set their password (default: a log line). */
  notify?: Notify;
  /** Replaces the MFA attempt limiter (default: the lockout module's `mfa.person` dimension). */
  mfaLimiter?: MfaAttemptLimiter;
  /**
   * The key schedule's view of `now`, for tests that move the schedule by days while tokens and
   * sessions keep real time (oidc-provider stamps those with the system clock).
   */
  keyClock?: () => Date;
  /** Outbound HTTP for oidc-provider (back-channel logout); tests use it to reach loopback. */
  fetch?: Configuration['fetch'];
}

export interface Portcullis {
  config: Config;
  app: Koa;
  store: Store;
  holder: ProviderHolder;
  providerFactory: ProviderFactory;
  audit: AuditBus;
  accounts: AccountService;
  sessions: SessionService;
  resources: ResourceRegistry;
  sealer: Sealer;
  mfa: MfaService;
  /** Passkeys (mfa/passkeys/), undefined when off. */
  passkeys: PasskeyService | undefined;
  keys: KeyManager;
  logger: Logger;
  /** Brute-force defence counters (src/lockout), for features that throttle their own attempts. */
  lockout: Limiter;
  /** Deletes stored audit records past AUDIT_RETENTION (hourly; tests call purge()). */
  auditRetention: AuditRetention;
  /** The stored trail's chain, verify and anchors (audit/trail.ts). */
  auditTrail: AuditTrail;
  /** Mail (SMTP_URL): `mail.notify(account, kind)` tells a person an administrator changed their sign-in. */
  mail: Mail;
  /** The breach range lookup (passwords/breach.ts); `unavailableCount` is for the metrics. */
  breach: BreachClient;
  /** Prometheus metrics (src/metrics): served on METRICS_PORT by listen(), never on the public port; undefined without METRICS_PORT. */
  metrics: Metrics | undefined;
  /** Reset by email (PASSWORD_RESET=email; else undefined): `sendLink(account, reason)` for breach checking and invitations. */
  passwordReset: PasswordReset | undefined;
  /** Registration (REGISTRATION=open; else undefined). */
  registration: Registration | undefined;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

async function staticAssets(): Promise<Router> {
  const css = await readFile(`${ASSETS_DIR}portcullis.css`);
  const router = new Router(ROUTER_OPTIONS);
  router.get('/assets/portcullis.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  for (const [path, script] of await scriptAssets()) {
    router.get(path, (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = script;
    });
  }
  return router;
}

export async function createPortcullis(config: Config, options: PortcullisOptions = {}): Promise<Portcullis> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const secrets = await resolveSecrets(config);
  if (secrets.generated) {
    logger.warn('COOKIE_KEYS / KEY_ENCRYPTION_KEYS not set: using development secrets from DATA_DIR/dev-secrets.json');
  }
  if (secrets.operatorToken) {
    logger.warn('OPERATOR_TOKEN not set: the break-glass token is generated in DATA_DIR/dev-secrets.json (the CLI run beside this server uses it)');
  }
  const store = options.store ?? (await openStore(config, (message) => logger.warn(message)));
  try {
    return await assemble(config, options, logger, secrets, store);
  } catch (error) {
    // A failed start must not leave files open or timers running.
    if (!options.store) await store.close().catch(() => undefined);
    throw error;
  }
}

async function assemble(
  config: Config,
  options: PortcullisOptions,
  logger: Logger,
  secrets: Awaited<ReturnType<typeof resolveSecrets>>,
  openedStore: Store,
): Promise<Portcullis> {
  // One registry per instance with METRICS_PORT (none, and prom-client not loaded, without it);
  // every storage call is then timed at the port (metrics/store.ts).
  const instruments = await openInstruments(config.metrics.port !== undefined);
  const store = instruments.timeStore(openedStore);
  const sealer = createSealer(secrets.keyEncryptionKeys);
  const hasher = await createPasswordHasher(config.argon2, { concurrency: config.passwordHashConcurrency, observer: instruments.hashObserver() });
  const accounts = createAccountService(store.accounts, hasher, { history: config.passwords.history });
  const now = options.now ?? systemClock;
  // Breach checking (passwords/breach.ts): fetched ranges kept a day, in Redis when configured.
  const breach: BreachClient = createBreachCheck(config.passwords.breach, {
    cache: config.redisUrl && config.passwords.breach.check ? await openRangeCache(config.redisUrl, logger) : memoryRangeCache(MEMORY_RANGES, now),
    logger,
  });
  // Every lookup (new passwords and sign-ins) counted by verdict: portcullis_breach_check_total.
  const countedBreach = instruments.countBreachLookups(breach);
  const passwordPolicy = createPasswordPolicy(config.passwords, { breach: countedBreach, hasher });
  const audit = createAuditBus((error, event) => logger.error({ err: error, type: event.type }, 'audit subscriber failed'));
  // The stored trail: this process's chain, verify, anchors and the leased retention (audit/trail.ts).
  const auditTrail = createAuditTrail({
    repo: store.audit,
    records: store.records,
    keyEncryptionKeys: secrets.keyEncryptionKeys,
    retentionSeconds: config.ttl.auditRetention,
    logger,
    clock: now,
    instanceId: randomUUID(),
  });
  attachAuditSinks(audit, logger, auditTrail.chain);
  const resources = await createResourceRegistry(store.records);
  const render = createRenderer(config.production);
  const cookieKeys = createCookieKeys(secrets.cookieKeys);
  const cors = corsPolicy(config.corsOrigins);
  const clientIp = createClientIpResolver(config.trustProxy);

  // Brute-force defence (src/lockout): counters in Redis when configured, in-process otherwise.
  const lockout = instruments.watchLockout(await openLockout(config, logger, now));

  // MFA: TOTP and backup codes (src/mfa), the `mfa` prompt, its pages and /account/mfa.
  const mfa = createMfaService({
    repo: store.mfa,
    sealer,
    totp: createTotp(now),
    limiter: options.mfaLimiter ?? createMfaGuard(lockout.limiter),
    audit,
    issuer: config.mfa.totpIssuer,
    now,
  });
  // Passkeys (mfa/passkeys/): off when the issuer is an IP address and WEBAUTHN_RP_ID is unset.
  const passkeys = createPasskeys(config.webauthn, {
    store,
    audit,
    personLimiter: options.mfaLimiter ?? createMfaGuard(lockout.limiter),
    addressLimiter: createPasskeyAddressGuard(lockout.limiter),
    warn: (message, detail) => logger.warn(detail, message),
    now,
  });
  const hasPasskeys = async (accountId: string) => (passkeys ? passkeys.has(accountId) : false);
  // A passkey is a second factor too: the MFA policy counts either as "enrolled".
  const hasSecondFactor = async (accountId: string) => (await mfa.isEnrolled(accountId)) || (await hasPasskeys(accountId));
  const mfaPolicy = createMfaPolicy(
    config.mfa,
    accounts,
    hasSecondFactor,
    { resource: adminResourceOf(config.issuer), requireMfa: config.admin.requireMfa },
    hasPasskeys,
  );
  // Management roles, and the admin API as a resource of this issuer (oidc/admin-resource.ts).
  const roles = createRoleRegistry(store.records);
  const adminResource = createAdminResource({
    issuer: config.issuer,
    tokenTtl: config.admin.tokenTtl,
    requireMfa: config.admin.requireMfa,
    async permissionsOf(accountId) {
      const account = await accounts.findById(accountId);
      if (account?.status !== 'active' || account.deletedAt) return new Set();
      return roles.permissionsOf(account.adminRoles ?? []);
    },
  });

  // Signing keys: lifecycle in keys/, shared through the store, changes signalled over Redis.
  const instanceId = randomUUID();
  const keys = createKeyManager({
    store,
    sealer,
    audit,
    logger,
    policy: keyPolicy(config, () =>
      longestSignedTokenLifetime({
        idToken: config.ttl.idToken,
        accessToken: config.ttl.accessToken,
        // The admin API's tokens (ADMIN_TOKEN_TTL) are signed too: no key retires while one may live.
        resourceAccessTokens: [...resources.all().map((resource) => resource.accessTokenTTL ?? 0), config.admin.tokenTtl],
      }),
    ),
    now: options.keyClock ?? (() => new Date(now())),
    signal: config.redisUrl ? await createRedisSignal(config.redisUrl, instanceId, logger) : localSignal(),
    instanceId,
    syncIntervalMs: config.keys.syncInterval * 1000,
  });
  instruments.registerOutboxGauge(async () => (await store.outbox.list()).length);
  instruments.watchDomains({ audit, keys, keyClock: options.keyClock ?? (() => new Date(now())) });
  // Refresh-token reuse detection and session activity wrap their model stores (README § Refresh
  // tokens, § Sessions); grants are revoked as whole token families.
  const revokeGrant = createGrantRevoker(store);
  const backchannel = createBackchannelSender(audit);
  const respondToReuse = createReuseResponse({ grants: store.model('Grant'), revokeGrant, audit, backchannel });
  // Bearer ids are stored as digests and client secrets sealed, outside the domain wrappers
  // (oidc/at-rest.ts), so those see stored ids only.
  const models = protectAtRest(
    modelView(store, {
      RefreshToken: (inner) =>
        guardRefreshTokens(inner, {
          graceSeconds: config.refreshTokens.reuseGraceSeconds,
          clock: now,
          grants: store.model('Grant'),
          audit,
          respondToReuse,
          storedId: bearerKey,
          passwordChangedAt: async (accountId) => (await accounts.findById(accountId))?.passwordChangedAt.getTime(),
        }),
      Session: (inner) => capStoredParameters(trackSessionActivity(inner, currentRequest, now), 'Session'),
      // Oversized request parameters are refused before oidc-provider keeps them (oidc/parameter-caps.ts).
      Interaction: (inner) => capStoredParameters(inner, 'Interaction'),
      PushedAuthorizationRequest: (inner) => capStoredParameters(inner, 'PushedAuthorizationRequest'),
      DeviceCode: (inner) => capStoredParameters(inner, 'DeviceCode'),
    }),
    store,
    sealer,
  );

  const providerFactory = withJwksCacheControl(
    createProviderFactory({
      config,
      audit,
      logger,
      fetch: options.fetch ?? outboundFetch(config.outbound.allowPrivateAddresses),
      adapter: createAdapterClass(models, async (model, id) => {
        audit.emit({ type: 'artefact.reuse_detected', detail: { model, id: id.slice(0, 8) } });
      }),
      findAccount: createFindAccount(accounts),
      // Clients found by oidc-provider are kept until their record changes (oidc/remembered-clients.ts).
      clientRevision: models.model('Client').revision?.bind(models.model('Client')),
      resources,
      adminResource,
      cookieKeys,
      corsAllows: cors.allows,
      render,
      interactionPolicy: buildInteractionPolicy(mfaPolicy),
      acrValues: ACR_VALUES,
    }),
    config.keys.jwksMaxAge,
  );
  let holder: ProviderHolder;
  // The public keys the issuer publishes now: the admin API verifies its tokens against them.
  let verificationKeys: JWK[] = [];
  try {
    const prepared = await keys.prepare();
    holder = createProviderHolder(providerFactory(prepared));
    verificationKeys = publicJwks(prepared);
    await keys.watch((jwks) => {
      holder.swap(providerFactory(jwks));
      verificationKeys = publicJwks(jwks);
    });
    if (config.bootstrapFile) {
      const file = await readBootstrapFile(config.bootstrapFile);
      await applyBootstrap(file, {
        store,
        clients: models.model('Client'),
        provider: holder.current,
        accounts,
        resources,
        logger,
        production: config.production,
        hashParameters: config.argon2,
        passwordPolicy,
        hasher,
      });
    }
    if (!config.outbound.allowPrivateAddresses) await warnAboutRefusedTargets(store, logger);
    await announceFirstRun(store.accounts, logger);
  } catch (error) {
    // The key watch holds a timer and possibly Redis connections; so does the lockout store.
    await keys.close();
    await lockout.close();
    await breach.close();
    throw error;
  }

  // Mail goes through the durable outbox in the store; its worker starts here (mail/worker.ts).
  const mail = createMail(config.mail, {
    logger,
    issuer: config.issuer,
    production: config.production,
    dataDir: config.dataDir,
    repo: store.outbox,
    sealer,
    audit,
    clock: now,
  });
  subscribeFactorNotices(audit, { findAccount: (id) => accounts.findById(id), notify: mail.notify });
  const auditRetention = auditTrail.retention;
  const revokeAccountGrants = createAccountGrantRevoker({
    grants: store.model('Grant'),
    refreshTokens: store.model('RefreshToken'),
    provider: () => holder.current,
    revokeGrant,
    backchannel,
    audit,
  });
  const sessions = createSessionService({
    sessions: store.model('Session'),
    provider: () => holder.current,
    revokeGrant,
    backchannel,
    audit,
    revokeAccountGrants,
  });
  const sessionLimit = createSessionLimit(config.sessions.limit, config.sessions.limitMode, sessions, audit);
  const uncountedGuard: LoginGuard = createLoginGuard(
    lockout.limiter,
    audit,
    {
      knownAddressTtl: config.lockout.knownAddressTtl,
      hardLockFailures: config.lockout.hardLockFailures,
    },
    async (username) => (await accounts.findByUsername(username))?.id,
  );
  const guard = instruments.countLoginRefusals(uncountedGuard);
  const changePassword = createPasswordChange(accounts, sessions, audit, guard, passwordPolicy);
  // Reset by email and registration (src/passwords; their pages in src/self-service).
  const selfService = {
    limiter: lockout.limiter,
    outbox: mail.outbox,
    audit,
    logger,
    now,
    issuer: config.issuer,
    repo: store.accounts,
    policy: passwordPolicy,
  };
  if (config.passwords.reset.defaultedOff)
    logger.warn('PASSWORD_RESET is off (production without SMTP_URL): nobody can reset a forgotten password; set SMTP_URL, or PASSWORD_RESET=off to say so');
  const passwordReset: PasswordReset | undefined =
    config.passwords.reset.mode === 'email'
      ? createPasswordReset({
          ...selfService,
          links: store.model('PasswordReset'),
          accounts,
          ttl: config.passwords.reset.ttl,
          endEverything: (accountId) => sessions.endAllExcept(accountId, undefined, 'password_reset'),
          unlockUsername: (username) => lockout.limiter.unlock({ username }),
        })
      : undefined;
  const registration: Registration | undefined = config.registration.open
    ? createRegistration({ ...selfService, pending: store.model('PendingSignup'), accounts, hasher })
    : undefined;
  const app = new Koa({ proxy: config.trustProxy !== false });
  app.keys = cookieKeys as unknown as string[];
  app.silent = true;
  const timed = instruments.timeRequests();
  if (timed) app.use(timed);
  app.use((ctx: Context, next: Next) => {
    clientIp.sanitise(ctx.req);
    return next();
  });
  app.use(requestContext(clientIp.resolve));
  // The machine endpoints' paths, known once the routers are (the lane, below).
  let machinePaths: ReadonlySet<string> = new Set();
  app.use(securityHeaders(new URL(config.issuer).protocol === 'https:', { deferFor: (path) => machinePaths.has(path) }));
  app.use(cors.middleware);
  app.use(errorHandler(logger, render, wantsJson));
  app.use(httpsOnly({ issuer: config.issuer, trustProxy: config.trustProxy, logger, probes: ['/healthz', '/readyz'], localOperatorPaths: [ADMIN_PREFIX] }));
  app.use(
    csrfProtection({
      keys: cookieKeys,
      https: new URL(config.issuer).protocol === 'https:',
      binding: bindToInteractionOrSession(holder.current.cookieName('session')),
    }),
  );
  const routers = [
    rootRouter(),
    await staticAssets(),
    healthRouter(store),
    interactionRouter({
      holder,
      accounts,
      audit,
      render: withPasskeyLocals(
        withSelfServiceLinks(render, { reset: passwordReset !== undefined, signup: registration !== undefined }),
        passkeys !== undefined,
      ),
      guard,
      mfa,
      policy: mfaPolicy,
      passkeys,
      now,
      sessionLimit,
      replaceRequiredPassword: createRequiredPasswordChange(accounts, sessions, audit, passwordPolicy),
      passwordRules: passwordPolicy.rules,
      breachAtSignIn: createSignInBreachCheck({ breach: countedBreach, accounts: store.accounts, audit, now }),
      replaceCompromisedPassword: createCompromisedPasswordChange(accounts, passwordPolicy, sessions, audit),
      // Without reset by email there is no link to send: the refusal says to ask an administrator.
      sendResetLink: passwordReset && ((account, reason) => passwordReset.sendLink(account, reason)),
    }),
    consoleRouter({
      holder,
      accounts,
      sessions,
      changePassword,
      passwordRules: passwordPolicy.rules,
      mfa,
      passkeys,
      render,
      now,
      issuer: config.issuer,
      cookies: consoleCookies({ https: new URL(config.issuer).protocol === 'https:' }),
      post: createInProcessPoster(holder, config.issuer),
      verificationKeys: () => verificationKeys,
      apps: createConnectedApps({
        grants: store.model('Grant'),
        accessTokens: store.model('AccessToken'),
        refreshTokens: store.model('RefreshToken'),
        sessions: store.model('Session'),
        provider: () => holder.current,
        revokeGrant,
        backchannel,
        audit,
      }),
      audit,
      auditLog: store.audit,
      factors: store.mfa,
      reauthMaxAge: config.account.reauthMaxAge,
      profile: createProfile({ repo: store.accounts, audit, now }),
      emailChange: createEmailChange({
        limiter: lockout.limiter,
        links: store.model('EmailChange'),
        repo: store.accounts,
        outbox: mail.outbox,
        notify: (account, kind, extra) => mail.notify(account, kind, extra),
        audit,
        now,
        issuer: config.issuer,
      }),
    }),
    selfServiceRouter({ reset: passwordReset, registration, render, minLength: passwordPolicy.rules.minLength, resetTtl: config.passwords.reset.ttl }),
  ];
  const adminAuth = createAdminAuth({
    issuer: config.issuer,
    resource: adminResourceOf(config.issuer),
    operatorToken: config.operator.token ?? secrets.operatorToken,
    verificationKeys: () => verificationKeys,
    findAccount: (id) => accounts.findById(id),
    async findClient(id) {
      const client = await holder.current.Client.find(id).catch(() => undefined);
      return client ? (client.metadata() as Record<string, unknown>) : undefined;
    },
    roles,
    maxAuthAge: config.admin.maxAuthAge,
    allowedAddresses: config.admin.allowedAddresses,
    audit,
    logger,
    now,
  });
  const revokeAdminGrants = createAdminGrantRevoker({ grants: store.model('Grant'), revokeGrant, audit, resource: adminResourceOf(config.issuer) });
  const adminUsers = createAdminUsers({
    repo: store.accounts,
    accounts,
    hasher,
    passwordPolicy,
    roles,
    // Marked as the admin's: the person is told by the reset notice, not also by the factor one.
    removeFactors: async (accountId) => {
      await mfa.remove(accountId, { by: 'admin' });
      // Passkeys are second factors too: an admin's reset, and an erasure, remove them.
      for (const passkey of (await passkeys?.list(accountId)) ?? []) await passkeys?.remove(accountId, passkey.id, { by: 'admin' });
    },
    async forgetMail(accountId) {
      await store.outbox.deleteByAccount(accountId);
      for (const name of ['PasswordReset', 'EmailChange']) {
        const links = store.model(name);
        for (const link of await links.findByAccountId(accountId)) await links.destroy(link.id);
      }
    },
    endEverything: async (accountId) => {
      await sessions.endAllExcept(accountId, undefined, 'admin');
    },
    revokeAdminGrants: async (accountId) => void (await revokeAdminGrants(accountId)),
    unlock: (account) => lockout.limiter.unlock({ username: account.username, person: account.id }),
    audit: { repo: store.audit, flush: () => audit.flush() },
    records: store.records,
    // A person is told by mail when an administrator resets their factors, sets their password or changes their email.
    notify: options.notify ?? ((account, kind, extra) => mail.notify(account, kind, extra)),
    invite: passwordReset && ((account) => passwordReset.sendLink(account, 'invite')),
    now,
  });
  const users = {
    users: adminUsers,
    sessions,
    mfaStatus: async (accountId: string) => mfaSummary(await mfa.status(accountId), (await passkeys?.list(accountId))?.length ?? 0),
  };
  const clients = createClientRegistry({
    clients: models.model('Client'),
    records: store.records,
    provider: () => holder.current,
    internal: internalClients(config.issuer),
    revokeGrantsOf: createClientGrantRevoker({ accounts: store.accounts, grants: store.model('Grant'), revokeGrant, audit }),
  });
  // Resource servers change at run time: the same kind of signal as the keys, on its own channel, plus the poll.
  const resourceSync = await syncResources(
    resources,
    config.redisUrl ? await createRedisSignal(config.redisUrl, instanceId, logger, { channel: RESOURCE_CHANNEL, name: 'resource' }) : localSignal(),
    config.keys.syncInterval * 1000,
    logger,
  );
  routers.push(
    adminRouter({
      auth: adminAuth,
      keys,
      limiter: lockout.limiter,
      accounts,
      audit,
      users,
      clients,
      roles,
      listAccounts: () => store.accounts.list(),
      trail: { repo: store.audit, verify: () => auditTrail.verify() },
      resources: { resources, sync: resourceSync, adminResource: adminResourceOf(config.issuer), adminTokenTtl: config.admin.tokenTtl },
    }),
  );
  const mounted = routers.map(mountRouter);
  const routeOf = createRouteMatcher(providerRoutes());
  const browserEndpoint = (path: string) => {
    const route = routeOf(path);
    return route !== undefined && BROWSER_ENDPOINTS.has(route.name);
  };
  const endpoints = endpointGuard(lockout.limiter, {
    paths: [PROVIDER_ROUTES.token, PROVIDER_ROUTES.introspection, PROVIDER_ROUTES.revocation],
    knownAddressTtl: config.lockout.knownAddressTtl,
    findClient: (clientId) => holder.current.Client.find(clientId),
  });
  // Everything else is the protocol: discovery, jwks, authorize, token, userinfo, logout …
  const toProvider = (ctx: Context) => holder.middleware()(ctx);
  // The machine endpoints go straight to the guard and the provider (security/machine-lane.ts).
  const lane = machineLane({
    routes: providerRoutes(),
    browserEndpoint,
    routerCouldMatch: (path) => mounted.some((router) => router.couldMatch(path)),
    handle: (ctx) => endpoints(ctx, () => toProvider(ctx)),
  });
  machinePaths = lane.paths;
  app.use(lane);
  for (const router of mounted) app.use(router);
  // In front of the provider: one spelling per endpoint path (others 404), then the budgets.
  app.use(canonicalProviderPaths(routeOf));
  app.use(notFoundUnlessProvider((path) => routeOf(path) !== undefined));
  app.use(browserBudget(lockout.limiter, { covers: browserEndpoint }));
  app.use(endpoints);
  app.use(toProvider);

  let server: Server | undefined;
  let metricsListener: MetricsListener | undefined;
  return {
    config,
    app,
    store,
    holder,
    providerFactory,
    audit,
    accounts,
    sessions,
    resources,
    sealer,
    mfa,
    passkeys,
    keys,
    logger,
    lockout: lockout.limiter,
    auditRetention,
    auditTrail,
    mail,
    breach,
    metrics: instruments.metrics,
    passwordReset,
    registration,
    async listen(port = config.port, host = config.host) {
      server = createServer(app.callback());
      server.keepAliveTimeout = 5000;
      server.headersTimeout = 10000;
      server.requestTimeout = 30000;
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      // The metrics listener (METRICS_PORT) starts with the public one; if it cannot bind, neither stays up.
      metricsListener = await instruments
        .listen(config.metrics, (error) => logger.error({ err: error }, 'metrics scrape failed'))
        .catch(async (error: unknown) => {
          await new Promise((resolve) => server?.close(resolve));
          throw error;
        });
      return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
    async close() {
      if (server) {
        await new Promise<void>((resolve) => {
          server?.close(() => resolve());
          server?.closeIdleConnections();
        });
      }
      await metricsListener?.close();
      auditTrail.stop();
      await mail.close();
      await breach.close();
      await resourceSync.close();
      await keys.close();
      await audit.flush();
      await lockout.close();
      if (!options.store) await store.close();
    },
  };
}
