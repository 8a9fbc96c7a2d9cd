// What reservations/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { markDeliveredUpTo } from './lifecycle.js';
export { reservationsPlugin } from './plugin.js';
export { applyReservationEvents, checkOversold, planReservationEvents, reservationSkus } from './reservation-effects.js';
export { reservationRoutes } from './routes.js';
export { defaultReservationSettings, ReservationConfigError, type ReservationSettings, reservationSettingsFromEnv } from './settings.js';
export { webhookRoutes } from './webhook-routes.js';
