// Driving a planned document through Tryton's workflow: look our reference up, create only when absent, then
// move the record on from whatever state an earlier (interrupted) attempt left it in. Tryton's buttons do
// nothing, silently, in the wrong state, so the state is read back and checked after the steps.
import { decimalFromMinor, trytonDate } from './encoding.js';
import { TrytonRpcError, type TrytonRpc, type WarningPolicy } from './json-rpc.js';
import type { TrytonMasterData } from './master-data.js';
import type { TrytonPlan } from './plan.js';

type SalePlan = Extract<TrytonPlan, { model: 'sale.sale' }>;
type InventoryPlan = Extract<TrytonPlan, { model: 'stock.inventory' }>;
type CallOpts = { signal?: AbortSignal; correlationId?: string; warnings?: WarningPolicy };

export interface Posted {
  model: 'sale.sale' | 'stock.inventory';
  id: number;
  /** False when the reference was found: nothing new was created. */
  created: boolean;
}

/** A refusal that retrying cannot change; the draft it left was removed (`draftRemoved`), so nothing half-done stays in Tryton. */
export class SaleRefused extends Error {
  constructor(
    readonly refusal: unknown,
    readonly draftRemoved: number | null,
  ) {
    super(refusal instanceof Error ? refusal.message : String(refusal));
  }
}

/** A workflow that did not reach its end state; retrying moves it on from where it stopped. */
export class WorkflowStuck extends Error {}

/** Tryton holds or needs something that retrying cannot change (a cancelled document, another currency). */
export class DocumentRefused extends Error {}

/** Tryton's id of the record posted under `reference`, or null. */
export async function findByReference(
  rpc: TrytonRpc,
  model: 'sale.sale' | 'stock.inventory',
  reference: string,
  o: CallOpts = {},
): Promise<number | null> {
  const field = model === 'sale.sale' ? 'reference' : 'number';
  const ids = await rpc.call<number[]>(`model.${model}.search`, [[[field, '=', reference]], 0, 1, [['id', 'ASC']]], o);
  return ids[0] ?? null;
}

export async function postSale(rpc: TrytonRpc, md: TrytonMasterData, plan: SalePlan, customerName: string, o: CallOpts): Promise<Posted> {
  let id = await findByReference(rpc, 'sale.sale', plan.reference, o);
  const created = id === null;
  if (id === null) {
    const company = await md.companyInfo(o);
    if (plan.currency !== company.currencyCode) {
      throw new DocumentRefused(`the document is in ${plan.currency} but the Tryton company books in ${company.currencyCode}`);
    }
    const customer = await md.customer(customerName, o);
    const warehouse = await md.warehouse(plan.warehouseCode, o);
    const codes = new Map(plan.lines.flatMap((l) => (l.productCode ? [[l.sku, l.productCode] as [string, string]] : [])));
    const products = await md.productsByCode(codes, o);
    const lines = plan.lines.map((l) => {
      const p = l.productCode ? products.get(l.productCode) : undefined;
      return {
        type: 'line',
        ...(p ? { product: p.id, unit: p.unit } : {}),
        quantity: l.qty,
        unit_price: decimalFromMinor(l.unitPrice, company.digits),
        description: l.description,
      };
    });
    const [newId] = await rpc.call<number[]>(
      'model.sale.sale.create',
      [
        [
          {
            company: company.company,
            party: customer.party,
            invoice_address: customer.address,
            shipment_address: customer.address,
            warehouse,
            currency: company.currency,
            reference: plan.reference,
            description: plan.description.slice(0, 250),
            comment: plan.comment,
            sale_date: trytonDate(plan.saleDate),
            // POS goods leave with the customer: stock moves now; payment was taken at the till.
            invoice_method: 'manual',
            shipment_method: 'order',
            lines: [['create', lines]],
          },
        ],
      ],
      o,
    );
    if (newId === undefined) throw new WorkflowStuck('Tryton created no sale');
    id = newId;
  }
  try {
    await moveSaleOn(rpc, id, created, o);
  } catch (err) {
    // Tryton refused to quote or confirm (a UserError, a warning nobody may skip): that will not change by
    // retrying, and a draft left under our reference would be reused by a replay but is noise in Tryton until
    // then. A replay after the fix creates it again. A transient failure keeps the draft: the retry finishes it.
    const final = err instanceof DocumentRefused || (err instanceof TrytonRpcError && !err.retryable);
    if (!final) throw err;
    throw new SaleRefused(err, await removeDraft(rpc, id, o));
  }
  return { model: 'sale.sale', id, created };
}

/** Deletes our sale if it is still a draft or a quotation (back to draft first); its id, or null if it was kept. */
async function removeDraft(rpc: TrytonRpc, id: number, o: CallOpts): Promise<number | null> {
  const { warnings: _w, ...plain } = o; // cleaning up answers no question: a warning here just fails the clean-up
  try {
    const [s] = await rpc.call<{ state: string }[]>('model.sale.sale.read', [[id], ['state']], plain);
    if (s?.state === 'quotation') await rpc.call('model.sale.sale.draft', [[id]], plain);
    if (s?.state !== 'draft' && s?.state !== 'quotation') return null;
    await rpc.call('model.sale.sale.delete', [[id]], plain);
    return id;
  } catch {
    return null; // the refusal is what matters; a draft that could not be removed is reused by a replay
  }
}

interface SaleState {
  state: string;
  shipments: number[];
  shipment_returns: number[];
}

async function moveSaleOn(rpc: TrytonRpc, id: number, fresh: boolean, o: CallOpts): Promise<void> {
  const read = async (): Promise<SaleState> => {
    const [s] = await rpc.call<SaleState[]>('model.sale.sale.read', [[id], ['state', 'shipments', 'shipment_returns']], o);
    if (!s) throw new WorkflowStuck(`sale.sale ${id} vanished`);
    return s;
  };
  // A sale we just created is a draft: no need to read that back.
  let s: SaleState = fresh ? { state: 'draft', shipments: [], shipment_returns: [] } : await read();
  if (s.state === 'done') return;
  if (s.state === 'cancelled') throw new DocumentRefused(`sale.sale ${id} under this reference was cancelled in Tryton`);
  if (s.state === 'draft') {
    await rpc.call('model.sale.sale.quote', [[id]], o);
    s.state = 'quotation';
  }
  if (s.state === 'quotation') await rpc.call('model.sale.sale.confirm', [[id]], o); // runs sale.process on commit
  s = await read();
  if (s.state === 'done') return;
  if (s.state !== 'processing') throw new WorkflowStuck(`sale.sale ${id} is "${s.state}" after confirm`);
  if (s.shipments.length > 0) {
    const ships = await rpc.call<{ id: number; state: string }[]>('model.stock.shipment.out.read', [s.shipments, ['state']], o);
    const waiting = ships.filter((x) => x.state === 'waiting' || x.state === 'assigned').map((x) => x.id);
    if (waiting.length > 0) await rpc.call('model.stock.shipment.out.pack', [waiting], o);
    const toDo = ships.filter((x) => ['waiting', 'assigned', 'packed'].includes(x.state)).map((x) => x.id);
    if (toDo.length > 0) await rpc.call('model.stock.shipment.out.done', [toDo], o);
  }
  if (s.shipment_returns.length > 0) {
    const rets = await rpc.call<{ id: number; state: string }[]>('model.stock.shipment.out.return.read', [s.shipment_returns, ['state']], o);
    const draft = rets.filter((x) => x.state === 'draft').map((x) => x.id);
    // the store's input location is its storage location: receiving is the last step
    if (draft.length > 0) await rpc.call('model.stock.shipment.out.return.receive', [draft], o);
  }
  const [end] = await rpc.call<{ state: string }[]>('model.sale.sale.read', [[id], ['state']], o);
  if (end?.state !== 'done') throw new WorkflowStuck(`sale.sale ${id} is "${end?.state ?? 'gone'}" after its shipments`);
}

export async function postInventory(rpc: TrytonRpc, md: TrytonMasterData, plan: InventoryPlan, o: CallOpts): Promise<Posted> {
  let id = await findByReference(rpc, 'stock.inventory', plan.reference, o);
  const created = id === null;
  if (id === null) {
    const company = await md.companyInfo(o);
    const location = await md.location(plan.locationCode, o);
    const products = await md.productsByCode(new Map(plan.lines.map((l) => [l.sku, l.productCode])), o);
    const [newId] = await rpc.call<number[]>(
      'model.stock.inventory.create',
      [
        [
          {
            number: plan.reference,
            location,
            company: company.company,
            date: trytonDate(plan.date),
            // a cycle count names some skus: the others keep their quantity
            empty_quantity: 'keep',
            lines: [['create', plan.lines.map((l) => ({ product: products.get(l.productCode)?.id, quantity: l.qty }))]],
          },
        ],
      ],
      o,
    );
    if (newId === undefined) throw new WorkflowStuck('Tryton created no inventory');
    id = newId;
  }
  const [inv] = await rpc.call<{ state: string }[]>('model.stock.inventory.read', [[id], ['state']], o);
  if (inv?.state === 'draft') await rpc.call('model.stock.inventory.confirm', [[id]], o);
  else if (inv?.state !== 'done') throw new WorkflowStuck(`stock.inventory ${id} is "${inv?.state ?? 'gone'}"`);
  if (inv.state === 'draft') {
    const [after] = await rpc.call<{ state: string }[]>('model.stock.inventory.read', [[id], ['state']], o);
    if (after?.state !== 'done') throw new WorkflowStuck(`stock.inventory ${id} is "${after?.state ?? 'gone'}" after confirm`);
  }
  return { model: 'stock.inventory', id, created };
}
