/** Where the admin API lives: the server mounts it here and the CLI calls it here. */
export const ADMIN_PREFIX = '/admin/v1';
