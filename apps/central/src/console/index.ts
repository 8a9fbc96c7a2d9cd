// What console/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { consoleRoutes } from './routes.js';
