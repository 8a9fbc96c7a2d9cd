// The one interface every ERP connector implements (docs/erp.md; issue 5). Central's posting outbox hands each
// posting to the configured connector; the connector never sees SQL, sockets or HTTP routes of central.

/** A sale line as posted: quantities in the item's unit, money in integer minor units. */
export interface ErpSaleLine {
  sku: string;
  qty: number;
  unitPrice: number;
  /** Tax included in the line, where the till gave it. */
  taxAmount?: number;
}

export interface ErpReturnLine {
  sku: string;
  qty: number;
  refundAmount: number;
  reasonCode: string;
  disposition: 'restock' | 'damaged' | 'quarantine';
}

/** What one posting asks the ERP to record. */
export type ErpDocument =
  | {
      kind: 'sale';
      transactionId: string;
      businessDate: string;
      currency: string;
      lines: ErpSaleLine[];
      tenders: { method: string; amount: number }[];
    }
  | {
      kind: 'return';
      returnId: string;
      originalTransactionId: string | null;
      businessDate: string;
      currency: string;
      lines: ErpReturnLine[];
    }
  | {
      /** A stock count: counted quantities per sku (the ERP's inventory document), with central's variance. */
      kind: 'count';
      countId: string;
      businessDate: string;
      lines: { sku: string; countedQty: number; variance: number }[];
    }
  | {
      /** Summary mode: one document per store and business day; sale lines aggregated per sku and price. */
      kind: 'day_summary';
      businessDate: string;
      currency: string;
      lines: ErpSaleLine[];
      returns: ErpReturnLine[];
      tenders: { method: string; amount: number }[];
      /** The POS documents it covers (for reconciliation and the ERP's description). */
      transactionIds: string[];
      returnIds: string[];
    };

export interface ErpPosting {
  /** Central's posting id: sent as the ERP document's external reference, looked up before creating. */
  postingId: string;
  storeId: string;
  /** The store's event (or events, for a summary) this posting comes from. */
  correlationId: string;
  document: ErpDocument;
}

export type PostOutcome =
  /** Posted now, or found already posted under our reference (alreadyPosted: nothing new was created). */
  | {
      ok: true;
      erpRef: string;
      alreadyPosted: boolean;
      /** Warnings the ERP raised and the connector acknowledged by configuration (recorded on the posting). */
      warnings?: string[];
    }
  /**
   * Not posted. retryable: the ERP is down, timed out, or answered 5xx (back off and try again);
   * otherwise a validation failure (dead letter) with the ERP's own message, e.g. an unmapped sku or store.
   */
  | { ok: false; retryable: boolean; error: string; details?: unknown };

export interface ErpConnector {
  readonly name: 'ledger' | 'tryton' | 'webhook';
  /** Post one document exactly once: look the reference up first, create only when absent. */
  post(p: ErpPosting, signal?: AbortSignal): Promise<PostOutcome>;
  /** The ERP's reference for a posting id, or null when the ERP holds nothing under it (reconciliation). */
  lookup(postingId: string, kind: ErpDocument['kind']): Promise<string | null>;
  /** Optional (added by ERP core): many look-ups at once, posting id -> ERP reference for those found. */
  lookupMany?(postingIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Optional (added by ERP core): every document the ERP holds for a store and business day under one of our
   * references, so reconciliation can name documents the ERP holds that central never posted.
   */
  documentsFor?(storeId: string, businessDate: string): Promise<{ postingId: string; erpRef: string }[]>;
  /**
   * Optional: check the connector's configuration against central's stores and items and against the ERP itself,
   * once at start; each problem names what to fix. Connectors without settings to get wrong leave it out.
   */
  checkConfig?(known: { storeIds: readonly string[]; skus: readonly string[] }): Promise<string[]>;
  close(): Promise<void>;
}
