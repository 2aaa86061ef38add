/**
 * How every router of ours matches paths: case-sensitively. @koa/router matches routes without
 * regard to case by default but builds `router.use` prefixes case-sensitively, so `/ADMIN/v1/keys`
 * once reached a handler past a guard mounted with `router.use`. One path has one spelling, as
 * for the provider's routes (canonical-paths.ts). A trailing slash stays optional (`strict` off):
 * it names the same route, and route-level middleware sees it like any other request.
 */
export const ROUTER_OPTIONS = { sensitive: true } as const;
