// What inventory/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { type ConflictRecord, writeConflicts } from './conflict-log.js';
export { conflictRoutes } from './conflicts-routes.js';
export { inventoryRoutes } from './inventory-routes.js';
export { type StoredMovement } from './inventory-rules.js';
export { applyCounts, applyMovements, lockInventory } from './inventory-store.js';
export { receiptRoutes } from './receipts-routes.js';
export { bookReceipt, type ReceiptInput, type ReceiptResult } from './receipts.js';
export { linkReturns } from './returns-link.js';
