// The public face of @outpost/central, for tests, scripts and embedding.
export { buildApp, type BuildAppOptions } from './app.js';
export { startCentral, type RunningCentral, type StartCentralOptions } from './server.js';
export { limitsFromEnv, parseStartArgs, resolveAdminToken, type CentralConfig } from './config.js';
export {
  createFaults,
  noFaults,
  openDatabase,
  parseFaults,
  runMigrations,
  startEmbeddedPostgres,
  type Database,
  type EmbeddedPostgresHandle,
  type FaultSpec,
  type Faults,
} from './platform/index.js';
export { appendCommand, pendingCommands } from './commands/index.js';
export { ingestBatch, type BatchInput, type IngestDeps } from './sync/index.js';
export { bookReceipt, type ReceiptInput, type ReceiptResult } from './inventory/index.js';
