/**
 * Stands in for `node:sqlite`, which workerd lacks (wrangler.toml [alias]). undici requires it only when its
 * SQLite cache store is constructed, which kore-board never does; bundling still has to resolve the name.
 */
export const DatabaseSync = undefined;
