// What sync/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { socketBufferSize } from './batch-rules.js';
export { eventRoutes } from './events-routes.js';
export { EVENT_COLUMNS, type EventRow, storedEventOf } from './events.js';
export { allObservers, ingestLogObserver } from './ingest-log.js';
export { type BatchInput, type CommittedBatch, ingestBatch, type IngestDeps, type IngestObserver } from './ingest.js';
export { realtimePlugin } from './plugin.js';
export { quarantineRoutes } from './quarantine-routes.js';
export { eventPartitionsPlugin } from './partitions-plugin.js';
export { type PartitionSettings } from './partitions.js';
