/**
 * The sign-in page's links to the self-service pages, shown only when they are on: the renderer
 * the interaction pages get adds them to the `login` view (views/partials/self-service-links.ejs).
 */
import type { Renderer } from '../views/render.ts';

export interface SelfServiceLinks {
  reset: boolean;
  signup: boolean;
}

export function withSelfServiceLinks(render: Renderer, links: SelfServiceLinks): Renderer {
  return (ctx, view, locals, status) => render(ctx, view, view === 'login' ? { ...locals, selfService: links } : locals, status);
}
