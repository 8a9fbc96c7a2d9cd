// pg_notify channels shared by every central node on one database. Command notices are sent right after the
// writing transaction commits (see CommandNotices); a revocation's inside its transaction, so only on COMMIT.

/** "Store X has new commands"; payload = storeId. */
export const COMMANDS_CHANNEL = 'outpost_commands';
/** "Device X was revoked"; payload = deviceId. Every node drops that device's sockets. */
export const REVOKED_CHANNEL = 'outpost_device_revoked';
/** "Rotate device X's token"; payload = deviceId. The node holding its socket sends `token.rotate`. */
export const ROTATE_CHANNEL = 'outpost_device_rotate';
