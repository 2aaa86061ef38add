/** Server-rendered pages (ejs; `<%= %>` escapes, and templates use nothing else for data). */
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import type { Context } from 'koa';

const VIEWS = fileURLToPath(new URL('.', import.meta.url));

export type Renderer = (ctx: Context, view: string, locals: Record<string, unknown>, status?: number) => Promise<void>;

export function createRenderer(cache: boolean): Renderer {
  return async (ctx, view, locals, status = 200) => {
    // Includes are written from `root` (`/partials/head`): ejs resolves those by name, where a
    // relative include costs an existsSync on every render, cached template or not.
    const html = await ejs.renderFile(`${VIEWS}${view}.ejs`, locals, { cache, async: false, root: VIEWS });
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = html;
  };
}

export const ASSETS_DIR = `${VIEWS}assets/`;
