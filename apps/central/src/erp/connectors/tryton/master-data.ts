// Tryton ids behind the codes of the mapping (warehouse, location, products) and the fixed parties of POS
// documents (company, its currency, the walk-in customer and its address). Found ids are kept for the life of
// the connector; a code Tryton lacks is asked again next time, so creating it in Tryton and replaying works.
import type { TrytonRpc } from './json-rpc.js';

/** A master-data record Tryton does not have: the posting cannot go through until someone creates or maps it. */
export class MissingMasterData extends Error {}

export interface Company {
  company: number;
  currency: number;
  currencyCode: string;
  digits: number;
}
export interface Product {
  id: number;
  unit: number;
}

type CallOpts = { signal?: AbortSignal; correlationId?: string };

export class TrytonMasterData {
  private company: Company | null = null;
  private readonly customers = new Map<string, { party: number; address: number }>();
  private readonly warehouses = new Map<string, number>();
  private readonly locations = new Map<string, number>();
  private readonly products = new Map<string, Product>();

  constructor(private readonly rpc: TrytonRpc) {}

  async companyInfo(o: CallOpts = {}): Promise<Company> {
    if (this.company) return this.company;
    const ctx = await this.rpc.context(o.signal);
    const id = ctx.company;
    if (typeof id !== 'number') throw new MissingMasterData('the Tryton integration user has no current company');
    const [c] = await this.rpc.call<{ currency: number }[]>('model.company.company.read', [[id], ['currency']], o);
    if (!c) throw new MissingMasterData(`Tryton company ${id} cannot be read`);
    const [cur] = await this.rpc.call<{ code: string; digits: number }[]>('model.currency.currency.read', [[c.currency], ['code', 'digits']], o);
    if (!cur) throw new MissingMasterData(`Tryton currency ${c.currency} cannot be read`);
    this.company = { company: id, currency: c.currency, currencyCode: cur.code, digits: cur.digits };
    return this.company;
  }

  async customer(name: string, o: CallOpts = {}): Promise<{ party: number; address: number }> {
    const hit = this.customers.get(name);
    if (hit) return hit;
    const [p] = await this.rpc.call<{ id: number; addresses: number[] }[]>(
      'model.party.party.search_read',
      [[['name', '=', name]], 0, 1, null, ['addresses']],
      o,
    );
    const address = p?.addresses[0];
    if (!p || address === undefined) throw new MissingMasterData(`Tryton has no party "${name}" with an address (the POS customer)`);
    const found = { party: p.id, address };
    this.customers.set(name, found);
    return found;
  }

  warehouse(code: string, o: CallOpts = {}): Promise<number> {
    return this.locationByCode(this.warehouses, code, 'warehouse', o);
  }

  location(code: string, o: CallOpts = {}): Promise<number> {
    return this.locationByCode(this.locations, code, 'storage', o);
  }

  /** Products by code; the error names every code Tryton lacks and the sku it was mapped from. */
  async productsByCode(codes: Map<string, string>, o: CallOpts = {}): Promise<Map<string, Product>> {
    const wanted = [...new Set(codes.values())].filter((c) => !this.products.has(c));
    if (wanted.length > 0) {
      const rows = await this.rpc.call<{ id: number; code: string; default_uom: number }[]>(
        'model.product.product.search_read',
        [[['code', 'in', wanted]], 0, null, null, ['code', 'default_uom']],
        o,
      );
      for (const r of rows) this.products.set(r.code, { id: r.id, unit: r.default_uom });
    }
    const absent = [...codes].filter(([, code]) => !this.products.has(code));
    if (absent.length > 0) {
      throw new MissingMasterData(
        absent.map(([sku, code]) => `sku ${sku} maps to Tryton product code "${code}", which Tryton does not have`).join('; '),
      );
    }
    return this.products;
  }

  private async locationByCode(cache: Map<string, number>, code: string, type: string, o: CallOpts): Promise<number> {
    const hit = cache.get(code);
    if (hit !== undefined) return hit;
    const ids = await this.rpc.call<number[]>('model.stock.location.search', [[['code', '=', code], ['type', '=', type]], 0, 1, null], o);
    const id = ids[0];
    if (id === undefined) throw new MissingMasterData(`Tryton has no ${type} location with code "${code}"`);
    cache.set(code, id);
    return id;
  }
}
