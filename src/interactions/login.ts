/**
 * POST /interaction/:uid/login — password sign-in. The answer to a wrong password never says
 * whether the username exists: same message, same status, and (with the decoy hash) same timing.
 */
import type { Context } from 'koa';
import { parseBody, wantsJson } from '../security/body.ts';
import { verifyCsrf } from '../security/csrf.ts';
import { asAppError } from '../security/errors.ts';
import type { InteractionDeps } from './router.ts';
import { expectPrompt, finish, loadInteraction } from './details.ts';
import { loginForm } from './schemas.ts';

const GENERIC_FAILURE = 'That username and password combination is not right.';

export function submitLogin(deps: InteractionDeps) {
  return async (ctx: Context) => {
    const json = wantsJson(ctx);
    const form = await parseBody(ctx, loginForm);
    verifyCsrf(ctx, form.csrf);
    const provider = deps.holder.current;
    const interaction = await loadInteraction(ctx, provider);
    expectPrompt(interaction, 'login');

    const ip = String(ctx.state.clientIp);
    const attempt = { username: form.username, ip };
    const clientId = String(interaction.params.client_id);
    try {
      await deps.guard.check(attempt);
    } catch (error) {
      // Throttled browsers get the sign-in page again (429, Retry-After), with the wait in words.
      const refused = asAppError(error);
      if (json || refused?.status !== 429) throw error;
      ctx.set(refused.headers);
      const client = await provider.Client.find(clientId);
      await deps.render(ctx, 'login', {
        uid: interaction.uid,
        clientName: client?.clientName ?? clientId,
        csrf: form.csrf,
        username: form.username,
        error: refused.message,
      }, 429);
      return;
    }
    const result = await deps.accounts.authenticate(form.username, form.password);

    if (!result.ok) {
      await deps.guard.failed({ ...attempt, accountId: result.accountId });
      deps.audit.emit({ type: 'login.failed', accountId: result.accountId, clientId, detail: { reason: result.reason } });
      if (json) {
        ctx.status = 401;
        ctx.body = { error: 'invalid_credentials', error_description: GENERIC_FAILURE };
        return;
      }
      const client = await provider.Client.find(clientId);
      await deps.render(ctx, 'login', {
        uid: interaction.uid,
        clientName: client?.clientName ?? clientId,
        csrf: form.csrf,
        username: form.username,
        error: GENERIC_FAILURE,
      }, 401);
      return;
    }

    const { account } = result;
    await deps.guard.succeeded({ ...attempt, accountId: account.id });
    if (deps.afterPassword) {
      const handled = await deps.afterPassword(ctx, interaction, account, json);
      if (handled) return;
    }
    // Signing in again where this browser already holds the person's session reuses that session.
    const browserSession = interaction.session?.accountId === account.id ? interaction.session.uid : undefined;
    await deps.sessionLimit?.admit(account.id, browserSession);
    deps.audit.emit({ type: 'login.success', accountId: account.id, clientId, detail: { amr: ['pwd'] } });
    await finish(ctx, provider, { login: { accountId: account.id, amr: ['pwd'], remember: true } }, json);
  };
}
