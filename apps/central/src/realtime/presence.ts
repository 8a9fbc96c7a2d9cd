/** Which devices have a live socket on this node (deviceId -> number of sockets); read by GET /stores. */
export interface Presence {
  add(deviceId: string): void;
  remove(deviceId: string): void;
  isOnline(deviceId: string): boolean;
}

export function createPresence(): Presence {
  const sockets = new Map<string, number>();
  return {
    add(deviceId) {
      sockets.set(deviceId, (sockets.get(deviceId) ?? 0) + 1);
    },
    remove(deviceId) {
      const n = (sockets.get(deviceId) ?? 0) - 1;
      if (n > 0) sockets.set(deviceId, n);
      else sockets.delete(deviceId);
    },
    isOnline(deviceId) {
      return (sockets.get(deviceId) ?? 0) > 0;
    },
  };
}
