/**
 * The composition root: the only module that wires domains together. Everything else receives
 * its dependencies as arguments. `createPortcullis` builds a ready-to-listen instance; tests build
 * several side by side.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Keygrip from 'keygrip';
import Koa, { type Context, type Next } from 'koa';
import { createPasswordHasher } from './accounts/hashing.ts';
import { type AccountService, createAccountService } from './accounts/service.ts';
import { type AuditBus, createAuditBus } from './audit/bus.ts';
import { createLogger, type Logger } from './audit/logger.ts';
import { attachAuditSinks } from './audit/sinks.ts';
import { applyBootstrap, readBootstrapFile } from './bootstrap/apply.ts';
import type { Config } from './config/index.ts';
import { resolveSecrets } from './config/dev-secrets.ts';
import { healthRouter } from './health/router.ts';
import { type LoginGuard, openGuard } from './interactions/guard.ts';
import { interactionRouter } from './interactions/router.ts';
import { ensureCurrentKeys, privateJwks } from './keys/keystore.ts';
import { createSealer, type Sealer } from './keys/sealing.ts';
import { createFindAccount } from './oidc/account.ts';
import { createAdapterClass } from './oidc/adapter.ts';
import { createProviderFactory, type ProviderFactory } from './oidc/build.ts';
import { createProviderHolder, type ProviderHolder } from './oidc/holder.ts';
import { createResourceRegistry, type ResourceRegistry } from './oidc/resources.ts';
import { wantsJson } from './security/body.ts';
import { createClientIpResolver } from './security/client-ip.ts';
import { corsPolicy } from './security/cors.ts';
import { errorHandler } from './security/error-handler.ts';
import { securityHeaders } from './security/headers.ts';
import { requestContext } from './security/request-context.ts';
import { openStore } from './storage/index.ts';
import type { Store } from './storage/port.ts';
import { ASSETS_DIR, createRenderer } from './views/render.ts';

export interface PortcullisOptions {
  logger?: Logger;
  /** An already opened store (tests share one between instances). */
  store?: Store;
}

export interface Portcullis {
  config: Config;
  app: Koa;
  store: Store;
  holder: ProviderHolder;
  providerFactory: ProviderFactory;
  audit: AuditBus;
  accounts: AccountService;
  resources: ResourceRegistry;
  sealer: Sealer;
  logger: Logger;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

async function staticAssets(): Promise<Router> {
  const css = await readFile(`${ASSETS_DIR}portcullis.css`);
  const router = new Router();
  router.get('/assets/portcullis.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  });
  return router;
}

export async function createPortcullis(config: Config, options: PortcullisOptions = {}): Promise<Portcullis> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const secrets = await resolveSecrets(config);
  if (secrets.generated) {
    logger.warn('COOKIE_KEYS / KEY_ENCRYPTION_KEYS not set: using development secrets from DATA_DIR/dev-secrets.json');
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
  store: Store,
): Promise<Portcullis> {
  const sealer = createSealer(secrets.keyEncryptionKeys);
  const hasher = await createPasswordHasher(config.argon2, { concurrency: config.passwordHashConcurrency });
  const accounts = createAccountService(store.accounts, hasher);
  const audit = createAuditBus((error, event) => logger.error({ err: error, type: event.type }, 'audit subscriber failed'));
  attachAuditSinks(audit, logger, store.audit);
  const resources = await createResourceRegistry(store.records);
  const render = createRenderer(config.production);
  const cookieKeys = new Keygrip(secrets.cookieKeys, 'sha256');
  const cors = corsPolicy(config.corsOrigins);
  const clientIp = createClientIpResolver(config.trustProxy);

  const providerFactory = createProviderFactory({
    config,
    audit,
    logger,
    adapter: createAdapterClass(store, async (model, id) => {
      audit.emit({ type: 'artefact.reuse_detected', detail: { model, id: id.slice(0, 8) } });
    }),
    findAccount: createFindAccount(accounts),
    resources,
    cookieKeys,
    corsAllows: cors.allows,
    render,
  });
  const keys = await ensureCurrentKeys(store.keys, sealer, ['ES256', 'RS256']);
  const holder = createProviderHolder(providerFactory(privateJwks(keys, sealer)));

  if (config.bootstrapFile) {
    const file = await readBootstrapFile(config.bootstrapFile);
    await applyBootstrap(file, { store, provider: holder.current, accounts, resources, logger, production: config.production });
  }

  const guard: LoginGuard = openGuard;
  const app = new Koa({ proxy: config.trustProxy !== false });
  app.keys = cookieKeys as unknown as string[];
  app.silent = true;
  app.use(async (ctx: Context, next: Next) => {
    clientIp.sanitise(ctx.req);
    await next();
  });
  app.use(requestContext(clientIp.resolve));
  app.use(securityHeaders(new URL(config.issuer).protocol === 'https:'));
  app.use(cors.middleware);
  app.use(errorHandler(logger, render, wantsJson));
  for (const router of [await staticAssets(), healthRouter(store), interactionRouter({ holder, accounts, audit, render, guard })]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // Everything else is the protocol: discovery, jwks, authorize, token, userinfo, logout …
  app.use(async (ctx: Context) => {
    ctx.respond = false;
    await holder.handler()(ctx.req, ctx.res);
  });

  let server: Server | undefined;
  return {
    config,
    app,
    store,
    holder,
    providerFactory,
    audit,
    accounts,
    resources,
    sealer,
    logger,
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
      return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
    async close() {
      if (server) {
        await new Promise<void>((resolve) => {
          server?.close(() => resolve());
          server?.closeIdleConnections();
        });
      }
      await audit.flush();
      if (!options.store) await store.close();
    },
  };
}
