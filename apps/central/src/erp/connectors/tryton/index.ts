// The `tryton` ERP connector (docs/erp.md): POS sales, returns and day summaries become sale.sale documents taken
// through to done, counts a confirmed stock.inventory, each under our posting id as its reference and looked up
// before creating. The mapping file and the Tryton set-up it expects are described in README.md beside this file.
import type { ErpConnector, ErpDocument, ErpPosting, PostOutcome } from '../../connector.js';
import { DocumentRefused, SaleRefused, WorkflowStuck, findByReference, postInventory, postSale } from './documents.js';
import { TrytonRpc, TrytonRpcError, warningMatcher, type WarningPolicy } from './json-rpc.js';
import { DEFAULT_SKIPPED_WARNINGS, MappingError, MappingFile } from './mapping.js';
import { MissingMasterData, TrytonMasterData } from './master-data.js';
import { planPosting } from './plan.js';
import { checkTrytonConfig } from './config-check.js';

export interface TrytonOptions {
  url: string;
  database: string;
  user: string;
  password: string;
  /** JSON {stores: {storeId: {warehouse, location}}, products: {sku: productCode}, customer?}; re-read on change. */
  mappingFile: string;
  /** Per-call limit in ms (default 30 s). */
  timeoutMs?: number;
  /** Where the connector tells what it did; each line carries the posting's correlation id. */
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

const DEFAULT_CUSTOMER = 'Walk-in customer';

export const modelOf = (kind: ErpDocument['kind']): 'sale.sale' | 'stock.inventory' => (kind === 'count' ? 'stock.inventory' : 'sale.sale');
const erpRef = (model: string, id: number): string => `${model},${id}`;

/** An exception from posting → the outcome the outbox acts on: retry later, or dead letter with the reason. */
export function outcomeOfError(err: unknown): PostOutcome {
  if (err instanceof SaleRefused) {
    const inner = outcomeOfError(err.refusal);
    if (inner.ok || err.draftRemoved === null) return inner;
    const details = typeof inner.details === 'object' && inner.details !== null ? inner.details : {};
    return { ...inner, details: { ...details, draftRemoved: `sale.sale,${err.draftRemoved}` } };
  }
  if (err instanceof TrytonRpcError) {
    return { ok: false, retryable: err.retryable, error: err.message, details: { method: err.method, tryton: err.raw } };
  }
  if (err instanceof MappingError || err instanceof MissingMasterData || err instanceof DocumentRefused) {
    return { ok: false, retryable: false, error: err.message };
  }
  if (err instanceof WorkflowStuck) return { ok: false, retryable: true, error: err.message };
  return { ok: false, retryable: false, error: `tryton connector: ${err instanceof Error ? err.message : String(err)}` };
}

export function createTrytonConnector(opts: TrytonOptions): ErpConnector {
  const rpc = new TrytonRpc({
    url: opts.url,
    database: opts.database,
    user: opts.user,
    password: opts.password,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
  const md = new TrytonMasterData(rpc);
  const mapping = new MappingFile(opts.mappingFile);
  // Search-then-create is not race-proof in Tryton (no unique reference): one attempt per posting at a time here.
  const inFlight = new Map<string, Promise<PostOutcome>>();

  async function postOnce(p: ErpPosting, signal?: AbortSignal): Promise<PostOutcome> {
    const warnings: WarningPolicy = { skip: () => false, seen: [] };
    const o = { correlationId: p.correlationId, warnings, ...(signal ? { signal } : {}) };
    try {
      const m = mapping.current();
      warnings.skip = warningMatcher(m.warnings?.skip ?? DEFAULT_SKIPPED_WARNINGS);
      const planned = planPosting(p, m);
      if (!planned.ok) return { ok: false, retryable: false, error: planned.missing.join('; '), details: { missing: planned.missing } };
      const plan = planned.plan;
      const posted =
        plan.model === 'sale.sale' ? await postSale(rpc, md, plan, m.customer ?? DEFAULT_CUSTOMER, o) : await postInventory(rpc, md, plan, o);
      opts.log?.info(
        { correlationId: p.correlationId, postingId: p.postingId, storeId: p.storeId, erpRef: erpRef(posted.model, posted.id), created: posted.created, warnings: warnings.seen },
        posted.created ? 'tryton: document posted' : 'tryton: document found under our reference',
      );
      // Quote and confirm each ask about the same line under the same name (the figures may differ): the first is kept.
      const byName = new Map<string, string>();
      for (const w of warnings.seen) if (!byName.has(w.name)) byName.set(w.name, w.message);
      const seen = [...byName].map(([name, message]) => `${name}: ${message}`);
      return { ok: true, erpRef: erpRef(posted.model, posted.id), alreadyPosted: !posted.created, ...(seen.length ? { warnings: seen } : {}) };
    } catch (err) {
      const outcome = outcomeOfError(err);
      opts.log?.warn({ correlationId: p.correlationId, postingId: p.postingId, storeId: p.storeId, outcome }, 'tryton: posting failed');
      return outcome;
    }
  }

  return {
    name: 'tryton',
    post(p, signal) {
      const running = inFlight.get(p.postingId);
      if (running) return running;
      const attempt = postOnce(p, signal).finally(() => inFlight.delete(p.postingId));
      inFlight.set(p.postingId, attempt);
      return attempt;
    },
    async lookup(postingId, kind) {
      const model = modelOf(kind);
      const id = await findByReference(rpc, model, postingId);
      if (id === null) return null;
      // Only a finished document counts as confirmed by the ERP (a draft left by a crash does not).
      const [r] = await rpc.call<{ state: string }[]>(`model.${model}.read`, [[id], ['state']]);
      return r?.state === 'done' ? erpRef(model, id) : null;
    },
    checkConfig(known) {
      return checkTrytonConfig(md, mapping, known, DEFAULT_CUSTOMER);
    },
    async close() {
      await Promise.allSettled([...inFlight.values()]);
      rpc.reset();
    },
  };
}
