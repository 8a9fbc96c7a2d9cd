// What fleet/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { deviceRoutes } from './devices-routes.js';
export { findDeviceByToken, recordAppliedCommandsOfMany, recordHeldCommand, recordHello } from './devices.js';
export { enrollRoutes } from './enroll-routes.js';
export { createPresence, type Presence } from './presence.js';
export { createStatusWriter, type StatusWriter } from './status-writer.js';
export { storeRoutes } from './stores-routes.js';
export { createStore, issueEnrollmentCode } from './stores.js';
export { rotationDue } from './token-rotation.js';
export { createTokenRotator, type TokenRotator } from './token-rotator.js';
