// What alerts/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { alertsPlugin } from './plugin.js';
export { alertRoutes } from './routes.js';
export { AlertConfigError, type AlertSettings, alertSettingsFromEnv, defaultAlertSettings } from './settings.js';
