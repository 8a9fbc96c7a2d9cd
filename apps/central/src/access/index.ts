// What access/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { type Limiter, type RateLimitSettings, rateLimitsFromEnv } from './limits.js';
export { accessPlugin } from './plugin.js';
export { access } from './roles.js';
export { tokenRoutes } from './routes.js';
