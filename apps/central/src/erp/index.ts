// What erp/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { type ErpConnector } from './connector.js';
export { MappingError, parseMapping } from './connectors/tryton/mapping.js';
export { writePostings } from './outbox.js';
export { erpPlugin } from './plugin.js';
export { reconciliationRoutes } from './reconciliation-routes.js';
export { reconcileStoreDay } from './reconciliation.js';
export { erpRoutes } from './routes.js';
export { defaultErpSettings, ErpConfigError, type ErpConnectorName, type ErpSettings, erpSettingsFromEnv } from './settings.js';
