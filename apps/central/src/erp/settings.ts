import { envInt, type Env } from '@outpost/shared';
import { CUTOFF_RE } from './documents.js';

// How central posts to the ERP: which connector, its connection, and how the worker paces itself. Resolved once
// from flags and environment at the edge; one object per app instance.

export const ERP_CONNECTOR_NAMES = ['ledger', 'tryton', 'webhook'] as const;
export type ErpConnectorName = (typeof ERP_CONNECTOR_NAMES)[number];

export interface ErpWorkerSettings {
  /** How often to look for due postings when nothing woke the worker. */
  pollMs: number;
  /** Stores worked at the same time on this node (each store's postings stay in order). */
  concurrency: number;
  /**
   * How long a claimed store stays with this node without a renewal. The holder renews it every third of that
   * while it works, so it only runs out when the node died (or lost its database): another node takes the store
   * over that much later.
   */
  leaseMs: number;
  /** First retry delay of a transient failure; doubles per attempt (with jitter) up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Per-call limit: a call that takes longer is a transient failure. */
  timeoutMs: number;
  /** Transient failures in a row that open the circuit; how long it stays open before one probe, and its cap. */
  circuitThreshold: number;
  circuitCooldownMs: number;
  circuitMaxCooldownMs: number;
}

export interface ErpSettings {
  connector: ErpConnectorName;
  webhook: { url: string; secret: string } | null;
  tryton: { url: string; database: string; user: string; password: string; mappingFile: string } | null;
  /** "HH:MM" UTC on the next day: when a summary-mode day without a day.closed is cut. */
  summaryCutoff: string;
  worker: ErpWorkerSettings;
}

export class ErpConfigError extends Error {}

export const defaultErpWorkerSettings = (): ErpWorkerSettings => ({
  pollMs: 500,
  concurrency: 4,
  leaseMs: 15_000,
  retryBaseMs: 1000,
  retryMaxMs: 300_000,
  timeoutMs: 30_000,
  circuitThreshold: 5,
  circuitCooldownMs: 5000,
  circuitMaxCooldownMs: 120_000,
});

export const defaultErpSettings = (): ErpSettings => ({
  connector: 'ledger',
  webhook: null,
  tryton: null,
  summaryCutoff: '04:00',
  worker: defaultErpWorkerSettings(),
});

function required(env: Env, name: string, why: string): string {
  const v = env[name];
  if (!v) throw new ErpConfigError(`${name} is required ${why}`);
  return v;
}

/** The ERP settings of `outpost-central start --erp NAME` (NAME from the flag, else OUTPOST_ERP, else ledger). */
export function erpSettingsFromEnv(env: Env, connectorFlag: string | undefined): ErpSettings {
  const connector = connectorFlag ?? env.OUTPOST_ERP ?? 'ledger';
  if (!(ERP_CONNECTOR_NAMES as readonly string[]).includes(connector)) {
    throw new ErpConfigError(`--erp must be one of ${ERP_CONNECTOR_NAMES.join(', ')}, got "${connector}"`);
  }
  const int = (name: string, fallback: number, min = 1) => {
    try {
      return envInt(env, name, fallback, min);
    } catch (err) {
      throw new ErpConfigError((err as Error).message);
    }
  };
  const summaryCutoff = env.OUTPOST_ERP_SUMMARY_CUTOFF ?? '04:00';
  if (!CUTOFF_RE.test(summaryCutoff)) throw new ErpConfigError(`OUTPOST_ERP_SUMMARY_CUTOFF must be HH:MM (UTC), got "${summaryCutoff}"`);
  let webhook: ErpSettings['webhook'] = null;
  let tryton: ErpSettings['tryton'] = null;
  if (connector === 'webhook') {
    const url = required(env, 'OUTPOST_ERP_WEBHOOK_URL', 'with --erp webhook');
    if (!/^https?:\/\//.test(url)) throw new ErpConfigError(`OUTPOST_ERP_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
    webhook = { url, secret: required(env, 'OUTPOST_ERP_WEBHOOK_SECRET', 'with --erp webhook (the receiver checks signatures with it)') };
  }
  if (connector === 'tryton') {
    const why = 'with --erp tryton';
    tryton = {
      url: required(env, 'OUTPOST_TRYTON_URL', why),
      database: required(env, 'OUTPOST_TRYTON_DB', why),
      user: required(env, 'OUTPOST_TRYTON_USER', why),
      password: required(env, 'OUTPOST_TRYTON_PASSWORD', why),
      mappingFile: required(env, 'OUTPOST_TRYTON_MAPPING', why),
    };
  }
  const d = defaultErpWorkerSettings();
  return {
    connector: connector as ErpConnectorName,
    webhook,
    tryton,
    summaryCutoff,
    worker: {
      pollMs: int('OUTPOST_ERP_POLL_MS', d.pollMs),
      concurrency: int('OUTPOST_ERP_CONCURRENCY', d.concurrency),
      leaseMs: int('OUTPOST_ERP_LEASE_MS', d.leaseMs),
      retryBaseMs: int('OUTPOST_ERP_RETRY_BASE_MS', d.retryBaseMs),
      retryMaxMs: int('OUTPOST_ERP_RETRY_MAX_MS', d.retryMaxMs),
      timeoutMs: int('OUTPOST_ERP_TIMEOUT_MS', d.timeoutMs),
      circuitThreshold: int('OUTPOST_ERP_CIRCUIT_THRESHOLD', d.circuitThreshold),
      circuitCooldownMs: int('OUTPOST_ERP_CIRCUIT_COOLDOWN_MS', d.circuitCooldownMs),
      circuitMaxCooldownMs: int('OUTPOST_ERP_CIRCUIT_MAX_COOLDOWN_MS', d.circuitMaxCooldownMs),
    },
  };
}
