// What reports/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { reportRoutes } from './routes.js';
