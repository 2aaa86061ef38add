/** Where the admin API lives (defined with its scopes in rbac/scopes.ts). */
export { ADMIN_PREFIX } from '../rbac/scopes.ts';
