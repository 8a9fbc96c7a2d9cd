// The public face of @outpost/central, for tests, scripts and embedding.
export { buildApp, type BuildAppOptions } from './app.js';
export { startCentral, type RunningCentral, type StartCentralOptions } from './server.js';
export { openDatabase, type Database } from './db/database.js';
export { runMigrations } from './db/migrate.js';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded.js';
export { limitsFromEnv, parseStartArgs, resolveAdminToken, type CentralConfig } from './config.js';
export { parseFaults, createFaults, type FaultSpec, type Faults } from './faults.js';
export { appendCommand, pendingCommands } from './command-stream.js';
export { ingestBatch, type IngestDeps, type BatchInput } from './ingest.js';
export { noFaults } from './faults.js';
export { bookReceipt, type ReceiptInput, type ReceiptResult } from './services/receipts.js';
