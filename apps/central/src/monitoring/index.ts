// What monitoring/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { healthRoutes } from './health-routes.js';
export { metricsRoutes } from './metrics-routes.js';
export { metricsPlugin } from './metrics.js';
