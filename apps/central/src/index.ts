// The public face of @outpost/central, for tests, scripts and embedding.
export { buildApp, type BuildAppOptions } from './app.js';
export { startCentral, type RunningCentral, type StartCentralOptions } from './server.js';
export { openDatabase, type Database } from './platform/db/database.js';
export { runMigrations } from './platform/db/migrate.js';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './platform/db/embedded.js';
export { limitsFromEnv, parseStartArgs, resolveAdminToken, type CentralConfig } from './config.js';
export { parseFaults, createFaults, type FaultSpec, type Faults } from './platform/faults.js';
export { appendCommand, pendingCommands } from './commands/command-stream.js';
export { ingestBatch, type IngestDeps, type BatchInput } from './sync/ingest.js';
export { noFaults } from './platform/faults.js';
export { bookReceipt, type ReceiptInput, type ReceiptResult } from './inventory/receipts.js';
