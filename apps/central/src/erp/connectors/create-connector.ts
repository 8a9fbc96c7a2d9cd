import type pg from 'pg';
import type { ErpConnector } from '../connector.js';
import { createLedgerConnector } from './ledger.js';
import type { ErpSettings } from '../settings.js';
import { createWebhookConnector } from './webhook.js';

export interface ConnectorDeps {
  /** Central's pool: the ledger connector books into central's own database. */
  pool: pg.Pool;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** The configured connector. Tryton is loaded on demand: central without it never loads its client. */
export async function createConnector(settings: ErpSettings, deps: ConnectorDeps): Promise<ErpConnector> {
  switch (settings.connector) {
    case 'ledger':
      return createLedgerConnector(deps.pool);
    case 'webhook':
      if (!settings.webhook) throw new Error('the webhook connector needs OUTPOST_ERP_WEBHOOK_URL and OUTPOST_ERP_WEBHOOK_SECRET');
      return createWebhookConnector(settings.webhook);
    case 'tryton': {
      if (!settings.tryton) throw new Error('the tryton connector needs OUTPOST_TRYTON_URL, _DB, _USER, _PASSWORD and _MAPPING');
      const { createTrytonConnector } = await import('./tryton/index.js');
      return createTrytonConnector({ ...settings.tryton, timeoutMs: settings.worker.timeoutMs, ...(deps.log ? { log: deps.log } : {}) });
    }
  }
}
