// What imports/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { importRejectionRoutes } from './routes.js';
export { openImportRejections, recordImportRejections } from './store.js';
