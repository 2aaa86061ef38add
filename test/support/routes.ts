/**
 * The routes the running app has mounted, read from each router's stack (the routers Koa was
 * given keep a `.router`), so a test that walks "every /account page" or "every state-changing
 * route" picks up a route added tomorrow without anyone listing it.
 */
import type Router from '@koa/router';

export interface MountedRoute {
  method: string;
  path: string;
}

/** Every method + path of every router mounted on the app (HEAD left out: it mirrors GET). */
export function mountedRoutes(middleware: readonly unknown[]): MountedRoute[] {
  const routes: MountedRoute[] = [];
  for (const fn of middleware) {
    const router = (fn as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) if (method !== 'HEAD') routes.push({ method, path: String(layer.path) });
    }
  }
  return routes;
}

/**
 * The console's pages: its GET routes under /account that a person opens by address — not the
 * sign-in callback, not the JSON aliases under /account/api, and not routes with a parameter
 * (nothing to fill them with here; such a page is reached from a listed one).
 */
export function consolePages(middleware: readonly unknown[]): string[] {
  const paths = mountedRoutes(middleware)
    .filter((route) => route.method === 'GET' && (route.path === '/account' || route.path.startsWith('/account/')))
    .map((route) => (route.path.length > 1 ? route.path.replace(/\/$/, '') : route.path))
    .filter((path) => path !== '/account/callback' && !path.startsWith('/account/api/') && !path.includes(':'));
  return [...new Set(paths)];
}
