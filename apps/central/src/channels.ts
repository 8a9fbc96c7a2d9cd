// pg_notify channels shared by every central node on one database. Notifications are sent inside the writing
// transaction, so they arrive only after COMMIT.

/** "Store X has new commands"; payload = storeId. */
export const COMMANDS_CHANNEL = 'outpost_commands';
/** "Device X was revoked"; payload = deviceId. Every node drops that device's sockets. */
export const REVOKED_CHANNEL = 'outpost_device_revoked';
