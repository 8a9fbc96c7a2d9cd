/**
 * The Tryton part of `npm run bench -- erp`: POS sales posted through the `tryton` connector against the same
 * documents posted by plain sequential JSON-RPC calls (same method sequence, one reused session) to the same
 * Tryton, per sale and in summary mode (one day_summary of N sales). The ratio connector/direct shows what the
 * connector adds (aim ≥ 0.9). Tryton is set up from scratch by the test fixture and killed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErpDocument, ErpPosting, ErpSaleLine } from '../apps/central/src/erp/connector.js';
import { decimalFromMinor, trytonDate } from '../apps/central/src/erp/connectors/tryton/encoding.js';
import { createTrytonConnector } from '../apps/central/src/erp/connectors/tryton/index.js';
import { buildTrytonTemplate, startTryton, TrytonProbe, writeMapping, type TrytonServer, type TrytonTemplate } from '../test/support/tryton.js';
import { fmt } from './stats.js';

const STORE = 'bench-store';
const SKUS = { 'SKU-TSHIRT': 'TT-TSHIRT', 'SKU-MUG': 'TT-MUG', 'SKU-TOTE': 'TT-TOTE' } as const;
const PRICES: Record<string, number> = { 'SKU-TSHIRT': 1990, 'SKU-MUG': 950, 'SKU-TOTE': 1400 };
const today = (): string => new Date().toISOString().slice(0, 10);

function saleLines(i: number): ErpSaleLine[] {
  const skus = Object.keys(SKUS);
  return [0, 1].map((k) => {
    const sku = skus[(i + k) % skus.length] as string;
    return { sku, qty: 1 + ((i + k) % 3), unitPrice: PRICES[sku] as number };
  });
}

/** Sum sale lines per sku and price, as a day summary does. */
function aggregate(lines: ErpSaleLine[]): ErpSaleLine[] {
  const m = new Map<string, ErpSaleLine>();
  for (const l of lines) {
    const k = `${l.sku}\u0000${l.unitPrice}`;
    const cur = m.get(k);
    m.set(k, cur ? { ...cur, qty: cur.qty + l.qty } : { ...l });
  }
  return [...m.values()];
}

/** The connector's sale workflow written out as plain calls: what a hand-written integration would send. */
async function directSale(probe: TrytonProbe, template: TrytonTemplate, reference: string, lines: ErpSaleLine[]): Promise<void> {
  const ids = template.ids;
  const wh = ids.stores.ST001?.warehouse;
  const found = await probe.call<number[]>('model.sale.sale.search', [[['reference', '=', reference]], 0, 1, [['id', 'ASC']]]);
  if (found.length) throw new Error('direct: reference exists');
  const [id] = await probe.call<number[]>('model.sale.sale.create', [
    [
      {
        company: ids.company,
        party: ids.customer,
        invoice_address: ids.address,
        shipment_address: ids.address,
        warehouse: wh,
        currency: ids.currency,
        reference,
        description: `POS sale ${reference}`,
        comment: `direct ${reference}`,
        sale_date: trytonDate(today()),
        invoice_method: 'manual',
        shipment_method: 'order',
        lines: [
          [
            'create',
            lines.map((l) => ({
              type: 'line',
              product: ids.products[SKUS[l.sku as keyof typeof SKUS]],
              unit: ids.unit,
              quantity: l.qty,
              unit_price: decimalFromMinor(l.unitPrice, 2),
              description: l.sku,
            })),
          ],
        ],
      },
    ],
  ]);
  await probe.call('model.sale.sale.quote', [[id]]);
  await probe.call('model.sale.sale.confirm', [[id]]);
  const [s] = await probe.call<{ state: string; shipments: number[]; shipment_returns: number[] }[]>('model.sale.sale.read', [
    [id],
    ['state', 'shipments', 'shipment_returns'],
  ]);
  if (s?.shipments.length) {
    const ships = await probe.call<{ id: number; state: string }[]>('model.stock.shipment.out.read', [s.shipments, ['state']]);
    const waiting = ships.filter((x) => x.state === 'waiting' || x.state === 'assigned').map((x) => x.id);
    if (waiting.length) await probe.call('model.stock.shipment.out.pack', [waiting]);
    await probe.call('model.stock.shipment.out.done', [ships.map((x) => x.id)]);
  }
  const [end] = await probe.call<{ state: string }[]>('model.sale.sale.read', [[id], ['state']]);
  if (end?.state !== 'done') throw new Error(`direct sale ${id} ended ${end?.state}`);
}

export async function runTrytonBench(): Promise<void> {
  const perSale = Number(process.env.OUTPOST_BENCH_TRYTON_SALES ?? 30);
  const summarySales = Number(process.env.OUTPOST_BENCH_TRYTON_SUMMARY_SALES ?? 200);
  const summaryRounds = Number(process.env.OUTPOST_BENCH_TRYTON_SUMMARY_ROUNDS ?? 10);
  let t = performance.now();
  const template = await buildTrytonTemplate();
  console.log(`tryton: set up from scratch in ${fmt((performance.now() - t) / 1000, 1)} s`);
  let server: TrytonServer | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-tryton-'));
  try {
    server = await startTryton(template);
    const mappingFile = join(dir, 'mapping.json');
    writeMapping(mappingFile, { stores: { [STORE]: { warehouse: 'ST001', location: 'ST001-FLOOR' } }, products: { ...SKUS } });
    const connector = createTrytonConnector({ url: server.url, database: server.database, user: server.user, password: server.password, mappingFile });
    const probe = new TrytonProbe(server);
    const run = Date.now().toString(36);
    const post = async (postingId: string, document: ErpDocument): Promise<void> => {
      const p: ErpPosting = { postingId, storeId: STORE, correlationId: `bench-${postingId}`, document };
      const r = await connector.post(p);
      if (!r.ok || r.alreadyPosted) throw new Error(`connector: ${JSON.stringify(r)}`);
    };
    const saleDoc = (i: number, lines: ErpSaleLine[]): ErpDocument => ({
      kind: 'sale',
      transactionId: `T-${i}`,
      businessDate: today(),
      currency: 'USD',
      lines,
      tenders: [],
    });
    // Warm both paths (logins, the connector's master-data lookups) outside the timings.
    await post(`${run}-warm`, saleDoc(0, saleLines(0)));
    await directSale(probe, template, `${run}-warm-direct`, saleLines(0));

    // Per sale: the paths alternate sale by sale, so both see the same database growth.
    let viaConnector = 0;
    let direct = 0;
    for (let i = 0; i < perSale; i++) {
      t = performance.now();
      await post(`${run}-c-${i}`, saleDoc(i, saleLines(i)));
      viaConnector += performance.now() - t;
      t = performance.now();
      await directSale(probe, template, `${run}-d-${i}`, saleLines(i));
      direct += performance.now() - t;
    }
    const cRate = (perSale * 1000) / viaConnector;
    const dRate = (perSale * 1000) / direct;
    console.log(
      `tryton per sale (${perSale} sales, 2 lines each): connector ${fmt(cRate, 2)} sales/s (${fmt(viaConnector / perSale)} ms/sale), ` +
        `direct JSON-RPC ${fmt(dRate, 2)} sales/s (${fmt(direct / perSale)} ms/sale), ratio ${fmt(cRate / dRate, 3)}`,
    );

    // Summary mode: one sale.sale per store and day carrying the day's N sales aggregated.
    let sConnector = 0;
    let sDirect = 0;
    for (let r = 0; r < summaryRounds; r++) {
      const all = Array.from({ length: summarySales }, (_, i) => saleLines(i)).flat();
      const lines = aggregate(all);
      t = performance.now();
      await post(`${run}-sc-${r}`, {
        kind: 'day_summary',
        businessDate: today(),
        currency: 'USD',
        lines,
        returns: [],
        tenders: [],
        transactionIds: Array.from({ length: summarySales }, (_, i) => `T-${r}-${i}`),
        returnIds: [],
      });
      sConnector += performance.now() - t;
      t = performance.now();
      await directSale(probe, template, `${run}-sd-${r}`, lines);
      sDirect += performance.now() - t;
    }
    const scRate = (summaryRounds * summarySales * 1000) / sConnector;
    const sdRate = (summaryRounds * summarySales * 1000) / sDirect;
    console.log(
      `tryton summary mode (${summaryRounds} day summaries of ${summarySales} sales): connector ${fmt(scRate)} sales/s ` +
        `(${fmt(sConnector / summaryRounds)} ms/summary), direct ${fmt(sdRate)} sales/s (${fmt(sDirect / summaryRounds)} ms/summary), ` +
        `ratio ${fmt(scRate / sdRate, 3)}; summary vs per-sale connector: ×${fmt(scRate / cRate, 0)}`,
    );
    await connector.close();
  } finally {
    await server?.kill();
    template.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

// `node --conditions=outpost-source --import tsx bench/erp-tryton.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  await runTrytonBench();
  process.exit(0);
}
