/**
 * The project's own Tryton test target: Tryton 6.0 from Debian's packages (installed by .ci/run) on its SQLite
 * backend, set up from scratch in a temp folder by `buildTrytonTemplate()` (database, modules, company, store
 * warehouses and locations, products, walk-in customer, integration user: ≈30 s), then served by
 * `startTryton()` from a copy of that database file on a free port, so each test gets a pristine ERP in a
 * second. A server can be stopped (SIGTERM) and started again on the same port and database, and is killed
 * by `kill()`; nothing is left running and nothing is cached between runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ErpConnector } from '../../apps/central/src/erp/connector.js';
import { createTrytonConnector } from '../../apps/central/src/erp/connectors/tryton/index.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's trytond and proteus import only under the system interpreter
const BOOTSTRAP = join(import.meta.dirname, 'tryton', 'bootstrap.py');
const MODULES = ['sale', 'stock', 'account_invoice', 'account_invoice_stock'];
const DB = 'outpost';

export interface TrytonSpec {
  /**
   * Tryton as sites often run it: sale_stock_quantity active and the integration user in its group, so quoting
   * or confirming a sale of an item short in stock raises a `UserWarning` (out of the group it is a `UserError`).
   */
  stockQuantityChecks?: boolean;
  stores: { warehouse: string; location: string; name: string }[];
  products: { code: string; name: string; price: string; salable?: boolean }[];
}

/** Two stores and five products; TT-CAP exists in Tryton but tests leave it out of the mapping at first. */
export const DEFAULT_SPEC: TrytonSpec = {
  stores: [
    { warehouse: 'ST001', location: 'ST001-FLOOR', name: 'Store 001' },
    { warehouse: 'ST002', location: 'ST002-FLOOR', name: 'Store 002' },
  ],
  products: [
    { code: 'TT-TSHIRT', name: 'T-shirt', price: '19.90' },
    { code: 'TT-MUG', name: 'Mug', price: '9.50' },
    { code: 'TT-TOTE', name: 'Tote bag', price: '14.00' },
    { code: 'TT-CAP', name: 'Cap', price: '12.00' },
    // store supplies: a product Tryton refuses on a sale line (its domain wants salable products)
    { code: 'TT-BAGS', name: 'Carrier bags (supplies)', price: '0.00', salable: false },
  ],
};

export interface TrytonMasterIds {
  company: number;
  currency: number;
  stores: Record<string, { warehouse: number; location: number }>;
  products: Record<string, number>;
  customer: number;
  address: number;
  unit: number;
}

export interface TrytonTemplate {
  dir: string;
  dbFile: string;
  user: string;
  password: string;
  adminPassword: string;
  ids: TrytonMasterIds;
  dispose(): void;
}

function writeConfig(dir: string, port: number): string {
  const conf = join(dir, 'trytond.conf');
  writeFileSync(
    conf,
    [
      '[web]',
      `listen = 127.0.0.1:${port}`,
      '[database]',
      'uri = sqlite://',
      `path = ${join(dir, 'db')}`,
      '[session]',
      // tests log in often (every restart, every new connector)
      'max_attempt = 10000',
      'max_attempt_ip_network = 10000',
      '',
    ].join('\n'),
  );
  return conf;
}

/** Build a Tryton database from nothing: `trytond-admin` init + modules, then master data through proteus. */
export async function buildTrytonTemplate(spec: TrytonSpec = DEFAULT_SPEC): Promise<TrytonTemplate> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-tryton-tpl-'));
  try {
    mkdirSync(join(dir, 'db'));
    const conf = writeConfig(dir, 0);
    const dbFile = join(dir, 'db', `${DB}.sqlite`);
    writeFileSync(dbFile, ''); // the SQLite backend wants the file to exist
    const adminPassword = 'Outpost-Admin-Passw0rd!';
    writeFileSync(join(dir, 'adminpass'), adminPassword, { mode: 0o600 });
    const user = 'outpost';
    const password = 'Outpost-Sync-Passw0rd!';
    await run('trytond-admin', ['-c', conf, '-d', DB, '--all', '--email', 'admin@example.com', '-u', ...MODULES, ...(spec.stockQuantityChecks ? ['sale_stock_quantity'] : []), '--activate-dependencies'], {
      env: { ...process.env, TRYTONPASSFILE: join(dir, 'adminpass') },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`trytond-admin failed: ${e.message}\n${(e.stderr ?? '').slice(-2000)}`);
    });
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ ...spec, user, password }));
    const boot = await run(PYTHON, ['-W', 'ignore', BOOTSTRAP, conf, DB, join(dir, 'spec.json')], { maxBuffer: 16 * 1024 * 1024 }).catch(
      (e: { stderr?: string; message: string }) => {
        throw new Error(`Tryton bootstrap failed: ${e.message}\n${(e.stderr ?? '').slice(-2000)}`);
      },
    );
    const last = boot.stdout.trim().split('\n').pop() ?? '';
    const ids = JSON.parse(last) as TrytonMasterIds;
    return { dir, dbFile, user, password, adminPassword, ids, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One running (or stopped) trytond on its own copy of the template database. */
export class TrytonServer {
  readonly database = DB;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly output: string[] = [];
  private readonly onExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly template: TrytonTemplate,
    private readonly conf: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get user(): string {
    return this.template.user;
  }
  get password(): string {
    return this.template.password;
  }
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  tail(n = 30): string {
    return this.output.slice(-n).join('\n');
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn('trytond', ['-c', this.conf, '-d', DB], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (b: Buffer): void => {
      for (const l of b.toString('utf8').split('\n')) if (l) this.output.push(l);
      if (this.output.length > 400) this.output.splice(0, 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((res) => child.once('exit', () => res()));
    process.once('exit', this.onExit); // never leave a trytond behind a crashed test run
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`trytond exited:\n${this.tail()}`);
        const r = await fetch(`${this.url}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
        });
        return r.status === 200;
      },
      { timeoutMs: 60_000, what: `trytond on port ${this.port}` },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n--- trytond output ---\n${this.tail()}`);
    });
  }

  /** SIGTERM and wait: the ERP is down until start() (same port, same database). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(t);
    process.removeListener('exit', this.onExit);
  }

  /**
   * End every session of the integration user, as Tryton's idle timeout (5 min by default) does: its rows go
   * from ir_session, so the next call with that session is answered 401.
   */
  async endSessions(): Promise<void> {
    const script = [
      'import sqlite3, sys',
      'c = sqlite3.connect(sys.argv[1], timeout=30)',
      "n = c.execute('delete from ir_session where create_uid in (select id from res_user where login = ?)', (sys.argv[2],)).rowcount",
      'c.commit()',
      'print(n)',
    ].join('\n');
    const { stdout } = await run(PYTHON, ['-c', script, join(this.dir, 'db', `${DB}.sqlite`), this.user]);
    if (Number(stdout.trim()) < 1) throw new Error('the integration user had no session to end');
  }

  /** Kill the server and remove its folder. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child?.kill('SIGKILL');
      await this.exited;
    }
    process.removeListener('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh trytond on a free port serving a copy of the template's database. */
export async function startTryton(template: TrytonTemplate): Promise<TrytonServer> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-tryton-'));
  mkdirSync(join(dir, 'db'));
  copyFileSync(template.dbFile, join(dir, 'db', `${DB}.sqlite`));
  const port = await freePort();
  const server = new TrytonServer(dir, port, template, writeConfig(dir, port));
  try {
    await server.start();
  } catch (err) {
    await server.kill();
    throw err;
  }
  return server;
}

/** Write a connector mapping file (see apps/central/src/erp/connectors/tryton/mapping.ts). */
export function writeMapping(
  path: string,
  mapping: { stores: Record<string, { warehouse: string; location: string }>; products: Record<string, string>; customer?: string },
): void {
  writeFileSync(path, JSON.stringify(mapping, null, 2));
}

/**
 * A minimal JSON-RPC session of its own (not the connector's client), so tests check Tryton's state through
 * an independent path: login, then model calls with the user's preferences as context.
 */
export class TrytonProbe {
  private auth: string | null = null;
  private ctx: Record<string, unknown> = {};
  private id = 0;
  private readonly login: string;
  private readonly password: string;
  constructor(private readonly server: TrytonServer) {
    this.login = server.user;
    this.password = server.password;
  }

  private async raw(method: string, params: unknown[]): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.auth) headers.authorization = this.auth;
    const r = await fetch(`${this.server.url}/${this.server.database}/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: ++this.id, method, params }),
    });
    const text = await r.text();
    let body: { result?: unknown; error?: unknown } | null = null;
    try {
      body = JSON.parse(text) as { result?: unknown; error?: unknown };
    } catch {
      body = null; // Tryton answers 401/500 with an HTML page
    }
    if (r.status !== 200 || !body || body.error) throw new Error(`${method}: HTTP ${r.status} ${JSON.stringify(body?.error ?? text.slice(0, 80))}`);
    return body.result;
  }

  async call<T>(method: string, args: unknown[]): Promise<T> {
    if (!this.auth) {
      const [uid, key] = (await this.raw('common.db.login', [this.login, { password: this.password }, 'en'])) as [number, string];
      this.auth = `Session ${Buffer.from(`${this.login}:${uid}:${key}`).toString('base64')}`;
      this.ctx = (await this.raw('model.res.user.get_preferences', [true, {}])) as Record<string, unknown>;
    }
    return (await this.raw(method, [...args, this.ctx])) as T;
  }

  /** Tryton's on-hand quantity per product code at a location. */
  async stockAt(locationId: number, codes: string[]): Promise<Record<string, number>> {
    await this.call('model.res.user.get_preferences', [true]); // logs in first, so ctx is set
    const rows = (await this.raw('model.product.product.search_read', [
      [['code', 'in', codes]],
      0,
      null,
      null,
      ['code', 'quantity'],
      { ...this.ctx, locations: [locationId], stock_date_end: null },
    ])) as { code: string; quantity: number }[];
    return Object.fromEntries(rows.map((r) => [r.code, r.quantity]));
  }

  /** How many sale.sale records carry this reference, and their states. */
  async salesByReference(reference: string): Promise<{ id: number; state: string; total_amount: { decimal: string } }[]> {
    return this.call('model.sale.sale.search_read', [[['reference', '=', reference]], 0, null, null, ['state', 'total_amount']]);
  }

  async inventoriesByNumber(number: string): Promise<{ id: number; state: string }[]> {
    return this.call('model.stock.inventory.search_read', [[['number', '=', number]], 0, null, null, ['state']]);
  }

  async count(model: 'sale.sale' | 'stock.inventory'): Promise<number> {
    return this.call(`model.${model}.search_count`, [[]]);
  }
}

/** What a connector test needs per test: a Tryton server copied from the template, a probe, a mapping file, the connector. */
export interface TrytonConnectorFixture {
  server: TrytonServer;
  probe: TrytonProbe;
  dir: string;
  mappingFile: string;
  connector: ErpConnector;
  close(): Promise<void>;
}

/** Starts one Tryton from `template`, writes `mapping` to a fresh folder and builds the connector over them. */
export async function openTrytonConnector(template: TrytonTemplate, mapping: Parameters<typeof writeMapping>[1], tmpPrefix: string): Promise<TrytonConnectorFixture> {
  const server = await startTryton(template);
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const mappingFile = join(dir, 'mapping.json');
  writeMapping(mappingFile, mapping);
  const connector = createTrytonConnector({ url: server.url, database: server.database, user: server.user, password: server.password, mappingFile });
  return {
    server,
    probe: new TrytonProbe(server),
    dir,
    mappingFile,
    connector,
    async close() {
      await connector.close();
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
