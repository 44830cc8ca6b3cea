/**
 * The storage browser: a page served by `actor-storage serve` at `/` (static files under `/ui/`)
 * that browses datasets, key-value stores and request queues through the server's own API, plus
 * the few local-only endpoints it needs (`/v2/local/…`, see ./api.ts).
 */
export { webUiApiRoutes } from './api.js';
export { createStaticHandler, resolvePublicDir, type StaticHandler, UI_PREFIX } from './static.js';
export { type FolderUsage, storeFolderUsage } from './usage.js';
