/** GET /account — the console's home page: who is signed in, and the sections (or the same as JSON). */
import type { Context } from 'koa';
import { wantsJson } from '../security/body.ts';
import type { ConsoleDeps } from './deps.ts';
import { signedIn } from './signed-in.ts';

export function showHome(deps: ConsoleDeps) {
  return async (ctx: Context) => {
    const { account } = await signedIn(ctx, deps);
    const mfaOn = await deps.mfa.isEnrolled(account.id);
    if (wantsJson(ctx)) {
      ctx.body = {
        id: account.id,
        username: account.username,
        name: account.name ?? null,
        mfa: mfaOn,
        sections: {
          profile: '/account/profile',
          password: '/account/password',
          mfa: '/account/mfa',
          sessions: '/account/sessions',
          apps: '/account/apps',
          activity: '/account/activity',
          data: '/account/data',
        },
      };
      return;
    }
    await deps.render(ctx, 'account-home', { accountName: account.name ?? account.username, username: account.username, mfaOn });
  };
}
