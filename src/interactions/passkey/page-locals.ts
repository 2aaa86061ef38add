/** The login page offers passkeys only when they are on (interactions/show.ts says when a client asked for `phr`). */
import type { Renderer } from '../../views/render.ts';

export function withPasskeyLocals(render: Renderer, enabled: boolean): Renderer {
  if (!enabled) return render;
  return (ctx, view, locals, status) => render(ctx, view, view === 'login' ? { ...locals, passkeysEnabled: true } : locals, status);
}
