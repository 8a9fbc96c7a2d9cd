/**
 * Which devices have a live socket, on this node and (through `peers`) on every other central node on the same
 * database; read by GET /stores. Local sockets are counted per device (a device may briefly hold two).
 */
export interface Presence {
  add(deviceId: string): void;
  remove(deviceId: string): void;
  /** True when the device has a live socket on ANY node. */
  isOnline(deviceId: string): Promise<boolean>;
  /** Devices with a live socket on this node: what this node answers when another node asks. */
  localDevices(): string[];
  /** Every device with a live socket on any node (one cluster round trip). */
  onlineDevices(): Promise<ReadonlySet<string>>;
}

export interface PresenceDeps {
  /** Each other node's local devices (one list per node). Absent: a single node. */
  peers?: () => Promise<string[][]>;
  /** A peer did not answer in time (e.g. it died and the cluster has not noticed yet). */
  onPeerError?: (err: unknown) => void;
}

export function createPresence(deps: PresenceDeps = {}): Presence {
  const sockets = new Map<string, number>();
  let snapshot: Promise<Set<string>> | null = null;

  async function collect(): Promise<Set<string>> {
    const online = new Set(sockets.keys());
    if (!deps.peers) return online;
    try {
      for (const list of await deps.peers()) for (const id of list) online.add(id);
    } catch (err) {
      // Better a fleet page that misses another node's devices than no fleet page: this node's view still holds.
      deps.onPeerError?.(err);
    }
    return online;
  }

  /**
   * One cluster round trip per page, not per device: every isOnline call made while a snapshot is pending, or in
   * the microtasks right after it settles (a page loop awaiting row by row), shares it. It is dropped at the next
   * turn of the event loop, so the next request asks the nodes again and never sees a stale answer.
   */
  function online(): Promise<Set<string>> {
    if (snapshot) return snapshot;
    const current = collect();
    snapshot = current;
    void current.finally(() =>
      setImmediate(() => {
        if (snapshot === current) snapshot = null;
      }),
    );
    return current;
  }

  return {
    add(deviceId) {
      sockets.set(deviceId, (sockets.get(deviceId) ?? 0) + 1);
    },
    remove(deviceId) {
      const n = (sockets.get(deviceId) ?? 0) - 1;
      if (n > 0) sockets.set(deviceId, n);
      else sockets.delete(deviceId);
    },
    async isOnline(deviceId) {
      return (sockets.get(deviceId) ?? 0) > 0 || (await online()).has(deviceId);
    },
    localDevices() {
      return [...sockets.keys()];
    },
    async onlineDevices() {
      const all = new Set(await online());
      for (const id of sockets.keys()) all.add(id);
      return all;
    },
  };
}
