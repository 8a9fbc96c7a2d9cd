import { describe, expect, it } from 'vitest';
import { diffAlerts, evaluateFleet, evaluateStore, type AlertThresholds, type StoreSnapshot } from './rules.js';

const T: AlertThresholds = { offlineSeconds: 60, syncLagSeconds: 300, backlog: 100, clockSkewMs: 60_000, diskLowBytes: 500 * 1048576 };
const now = new Date('2026-11-29T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

function store(over: Partial<StoreSnapshot> = {}): StoreSnapshot {
  return {
    storeId: 's-1',
    devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 0 }],
    commandBacklog: 0,
    latestEvent: null,
    quarantineOpen: 0,
    erpDead: 0,
    ...over,
  };
}
const kinds = (s: StoreSnapshot) => evaluateStore(s, T, now).map((c) => c.kind);

describe('fleet health rules', () => {
  it('a healthy store raises nothing', () => {
    expect(kinds(store())).toEqual([]);
  });

  it('store_offline only when every device is away longer than the threshold, since its last contact', () => {
    expect(kinds(store({ devices: [{ deviceId: 'd-1', online: false, lastSeenAt: ago(59), pendingUp: 0 }] }))).toEqual([]);
    const c = evaluateStore(store({ devices: [{ deviceId: 'd-1', online: false, lastSeenAt: ago(61), pendingUp: 0 }] }), T, now);
    expect(c).toMatchObject([{ kind: 'store_offline', storeId: 's-1', since: ago(61) }]);
    // One till still connected: the store is not offline.
    expect(
      kinds(store({ devices: [{ deviceId: 'd-1', online: false, lastSeenAt: ago(600), pendingUp: 0 }, { deviceId: 'd-2', online: true, lastSeenAt: ago(1), pendingUp: 0 }] })),
    ).toEqual([]);
    // Enrolled but never connected.
    expect(kinds(store({ devices: [{ deviceId: 'd-1', online: false, lastSeenAt: null, pendingUp: null }] }))).toEqual(['store_offline']);
    // A store with no device yet is not "offline": there is nothing to be online.
    expect(kinds(store({ devices: [] }))).toEqual([]);
  });

  it('sync_lag needs a late latest event AND events still waiting', () => {
    const late = { occurredAt: ago(1000), receivedAt: ago(10) };
    expect(kinds(store({ latestEvent: late }))).toEqual([]);
    expect(kinds(store({ latestEvent: late, devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 5 }] }))).toEqual(['sync_lag']);
    expect(kinds(store({ latestEvent: { occurredAt: ago(100), receivedAt: ago(10) }, devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 5 }] }))).toEqual([]);
  });

  it('backlog counts events waiting at the store and commands waiting at central', () => {
    expect(kinds(store({ devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 60 }, { deviceId: 'd-2', online: true, lastSeenAt: ago(1), pendingUp: 40 }] }))).toEqual(['backlog']);
    expect(kinds(store({ commandBacklog: 100 }))).toEqual(['backlog']);
    expect(kinds(store({ commandBacklog: 99 }))).toEqual([]);
  });

  it('quarantine, dead letters, skew, disk, rejected files and reconciliation each raise their kind', () => {
    expect(kinds(store({ quarantineOpen: 1 }))).toEqual(['quarantine']);
    expect(kinds(store({ erpDead: 2 }))).toEqual(['erp_dead_letters']);
    expect(kinds(store({ devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 0, clockSkewMs: -61_000 }] }))).toEqual(['clock_skew']);
    expect(kinds(store({ devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 0, clockSkewMs: 59_000 }] }))).toEqual([]);
    expect(evaluateStore(store({ devices: [{ deviceId: 'd-1', online: true, lastSeenAt: ago(1), pendingUp: 0, diskFreeBytes: 100 * 1048576 }] }), T, now)).toMatchObject([
      { kind: 'disk_low', severity: 'critical', detail: expect.stringContaining('100 MiB') },
    ]);
    expect(
      evaluateStore(store({ importRejected: [{ file: 'till-7.csv', line: 12, reason: 'qty: not a number', at: ago(30) }] }), T, now),
    ).toMatchObject([{ kind: 'import_rejected', since: ago(30), detail: expect.stringContaining('till-7.csv line 12: qty: not a number') }]);
    expect(kinds(store({ reconciliationDifferences: ['2026-11-28'] }))).toEqual(['reconciliation_difference']);
  });

  it('the ERP is one fleet-wide alert, not one per store', () => {
    const c = evaluateFleet({ stores: [store(), store({ storeId: 's-2' })], erpFailing: { failing: true, detail: 'unreachable' } }, T, now);
    expect(c).toEqual([expect.objectContaining({ kind: 'erp_circuit_open', storeId: null, severity: 'critical', key: 'erp_circuit_open:*' })]);
  });
});

describe('diffAlerts', () => {
  const open = [
    { alertId: 'a-1', key: 'store_offline:s-1', detail: 'x' },
    { alertId: 'a-2', key: 'quarantine:s-2', detail: '1 quarantined event(s) to look at' },
  ];
  it('opens new conditions, closes vanished ones, keeps continuing ones (and their start) with a fresh detail', () => {
    const now2 = evaluateFleet(
      { stores: [store({ storeId: 's-2', quarantineOpen: 3 }), store({ storeId: 's-3', erpDead: 1 })], erpFailing: { failing: false, detail: null } },
      T,
      now,
    );
    const d = diffAlerts(open, now2);
    expect(d.opened.map((c) => c.key)).toEqual(['erp_dead_letters:s-3']);
    expect(d.closed.map((a) => a.alertId)).toEqual(['a-1']);
    expect(d.changed).toEqual([{ alertId: 'a-2', detail: '3 quarantined event(s) to look at' }]);
  });
  it('nothing changes when nothing changed', () => {
    const same = evaluateFleet({ stores: [store({ storeId: 's-2', quarantineOpen: 1 })], erpFailing: { failing: false, detail: null } }, T, now);
    expect(diffAlerts([open[1]!], same)).toEqual({ opened: [], closed: [], changed: [] });
  });
});
