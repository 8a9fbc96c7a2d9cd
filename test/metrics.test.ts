import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { appendRawOutboxEvent } from './support/agent-db.js';
import { captureMany } from './support/capture.js';
import { request } from './support/http.js';
import { promtool } from './support/promtool.js';
import { enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

// ---- a strict reader of the Prometheus text exposition format 0.0.4 (no dependency can parse it here)

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | null;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?Inf|NaN)';
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (${VALUE})(?: (-?\\d+))?$`);
const LABEL_PAIR_RE = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`);

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length) {
    const m = LABEL_PAIR_RE.exec(rest);
    if (!m) throw new Error(`line ${line}: bad label set {${text}}`);
    if (m[1]! in labels) throw new Error(`line ${line}: label ${m[1]} twice`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(m[0].length);
    if (m[3] === '' && rest.length) throw new Error(`line ${line}: text after the last label`);
  }
  return labels;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  for (const suffix of ['_bucket', '_sum', '_count', '']) {
    if (!sampleName.endsWith(suffix)) continue;
    const f = families.get(sampleName.slice(0, sampleName.length - suffix.length));
    if (f && (suffix === '' || f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

/** Throws on anything the format does not allow; answers the families by name. */
export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | null = null;
  const closed = new Set<string>();
  text
    .slice(0, -1)
    .split('\n')
    .forEach((raw, i) => {
      const line = i + 1;
      if (raw.startsWith('#')) {
        const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(raw);
        if (!m) {
          if (/^# (HELP|TYPE)/.test(raw)) throw new Error(`line ${line}: malformed ${raw}`);
          return; // a plain comment
        }
        const [, kind, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
        let f = families.get(name);
        if (f && closed.has(name)) throw new Error(`line ${line}: family ${name} appears twice`);
        if (!f) {
          if (current) closed.add(current.name);
          f = { name, type: 'untyped', help: null, samples: [] };
          families.set(name, f);
          current = f;
        }
        if (kind === 'TYPE') {
          if (f.samples.length) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
          if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
          f.type = rest as Family['type'];
        } else {
          if (f.help !== null) throw new Error(`line ${line}: HELP of ${name} twice`);
          f.help = rest;
        }
        return;
      }
      if (raw === '') return; // empty lines are ignored (format 0.0.4); prom-client puts one between families
      const m = SAMPLE_RE.exec(raw);
      if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
      const name = m[1]!;
      const labels = parseLabels(m[2] ?? '', line);
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (seen.has(key)) throw new Error(`line ${line}: series ${key} twice`);
      seen.add(key);
      const f = familyOf(name, families);
      if (!f) throw new Error(`line ${line}: sample ${name} outside any declared family`);
      if (f !== current) throw new Error(`line ${line}: samples of ${f.name} are not contiguous`);
      const value = Number(m[3]!.replace(/Inf$/, 'Infinity'));
      if (f.type === 'counter' && !(value >= 0)) throw new Error(`line ${line}: counter ${name} is ${value}`);
      if (name.endsWith('_bucket') && f.type === 'histogram' && !('le' in labels)) throw new Error(`line ${line}: bucket without le`);
      f.samples.push({ name, labels, value });
    });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const k = JSON.stringify(Object.entries(rest).sort());
    series.set(k, [...(series.get(k) ?? []), s]);
  }
  for (const samples of series.values()) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const les = buckets.map((b) => Number(b.labels.le!.replace(/Inf$/, 'Infinity')));
    if (les.at(-1) !== Infinity) throw new Error(`${f.name}: no +Inf bucket`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(les[i]! > les[i - 1]!)) throw new Error(`${f.name}: buckets out of order`);
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${f.name}: buckets not cumulative`);
    }
    if (!count || count.value !== buckets.at(-1)!.value) throw new Error(`${f.name}: _count differs from the +Inf bucket`);
    if (!samples.some((s) => s.name === `${f.name}_sum`)) throw new Error(`${f.name}: no _sum`);
  }
}

/** The value of one series (0 when absent: a counter that never moved is not exported per label). */
function value(fams: Map<string, Family>, name: string, labels: Record<string, string> = {}, sampleName = name): number {
  const f = familyOf(sampleName, fams);
  const s = f?.samples.find((x) => x.name === sampleName && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value ?? 0;
}

async function scrapeText(central: CentralHandle): Promise<string> {
  const res = await fetch(`${central.url}/metrics`, { headers: { authorization: `Bearer ${central.adminToken}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function scrape(central: CentralHandle): Promise<Map<string, Family>> {
  return parseExposition(await scrapeText(central));
}

describe('the Prometheus exposition reader', () => {
  it('accepts well-formed text and refuses what the format forbids', () => {
    const good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="q\\"uote"} 3\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 4.5\nh_count 2\n';
    const f = parseExposition(good);
    expect(f.get('a_total')!.samples[0]!.labels).toEqual({ x: '1', y: 'q"uote' });
    expect(value(f, 'h', {}, 'h_count')).toBe(2);
    for (const bad of [
      good.slice(0, -1), // no final newline
      '# TYPE a counter\na{x="1"} -1\n', // negative counter
      '# TYPE a gauge\na{x=1} 1\n', // unquoted label value
      '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n', // not contiguous
      '# TYPE a gauge\na 1\na 2\n', // same series twice
      'b 1\n', // no family
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', // no +Inf
      '# TYPE a gauge\na one\n', // not a number
      '# TYPE a gauges\na 1\n', // unknown type
    ]) {
      expect(() => parseExposition(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('GET /metrics', () => {
  const { fx, dbUrl } = e2eContext();

  it('parses as Prometheus text, needs the admin token, and its figures move with traffic of real agents', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dirA = fx.tempDir('outpost-agent-');
    const dirB = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'm-a', dirA);
    await enrollAgent(central, 'm-b', dirB);

    const anon = await request<{ error: { code: string } }>('GET', `${central.url}/metrics`);
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('unauthorized');

    const first = await scrape(central);
    for (const [name, type] of [
      ['outpost_agents_connected', 'gauge'],
      ['outpost_ingest_events_total', 'counter'],
      ['outpost_ingest_batches_total', 'counter'],
      ['outpost_ingest_batches_refused_total', 'counter'],
      ['outpost_ingest_batch_size', 'histogram'],
      ['outpost_ingest_batch_duration_seconds', 'histogram'],
      ['outpost_ingest_lag_seconds', 'histogram'],
      ['outpost_store_sync_lag_seconds', 'gauge'],
      ['outpost_store_pending_up', 'gauge'],
      ['outpost_quarantine_open', 'gauge'],
      ['outpost_command_backlog', 'gauge'],
      ['outpost_http_requests_total', 'counter'],
      ['outpost_central_process_cpu_seconds_total', 'counter'],
    ] as const) {
      expect(first.get(name)?.type, name).toBe(type);
    }
    expect(value(first, 'outpost_agents_connected')).toBe(0);
    expect(value(first, 'outpost_ingest_batch_size', {}, 'outpost_ingest_batch_size_count')).toBe(0);

    let agentA = await startAgent(fx, { dataDir: dirA });
    let agentB = await startAgent(fx, { dataDir: dirB });
    await waitFor(async () => value(await scrape(central), 'outpost_agents_connected') === 2, { what: 'two agents connected' });

    await Promise.all([captureMany(agentA, 30), captureMany(agentB, 10)]);
    await Promise.all([waitDrained(agentA), waitDrained(agentB)]);
    const after = await waitFor(async () => {
      const m = await scrape(central);
      return value(m, 'outpost_store_pending_up', { store: 'm-a' }) === 0 && value(m, 'outpost_store_pending_up', { store: 'm-b' }) === 0 ? m : null;
    }, { what: 'stores to report nothing waiting' });
    expect(value(after, 'outpost_ingest_events_total', { store: 'm-a', outcome: 'stored' })).toBe(30);
    expect(value(after, 'outpost_ingest_events_total', { store: 'm-b', outcome: 'stored' })).toBe(10);
    const batches = value(after, 'outpost_ingest_batches_total', { store: 'm-a' }) + value(after, 'outpost_ingest_batches_total', { store: 'm-b' });
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(value(after, 'outpost_ingest_batch_size', {}, 'outpost_ingest_batch_size_count')).toBe(batches);
    expect(value(after, 'outpost_ingest_batch_size', {}, 'outpost_ingest_batch_size_sum')).toBe(40);
    expect(value(after, 'outpost_ingest_lag_seconds', {}, 'outpost_ingest_lag_seconds_count')).toBe(40);
    expect(after.get('outpost_store_sync_lag_seconds')!.samples.map((s) => s.labels.store).sort()).toEqual(['m-a', 'm-b']);
    expect(value(after, 'outpost_quarantine_open')).toBe(0);
    expect(value(after, 'outpost_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBeGreaterThan(
      value(first, 'outpost_http_requests_total', { method: 'GET', route: '/metrics', status: '200' }),
    );

    // Prometheus's own linter has nothing to say about the exposition (naming, types, help texts).
    const lint = promtool(['check', 'metrics'], await scrapeText(central));
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);

    // A bad event from an older agent build: quarantined, counted, and logged with its correlation id.
    await agentA.proc.stop();
    let badCorrelation = '';
    appendRawOutboxEvent(dirA, (env) => {
      (env.payload as { lines: { qty: number }[] }).lines[0]!.qty = -2;
      env.correlationId = badCorrelation = `bad-${Date.now()}`;
    });
    agentA = await startAgent(fx, { dataDir: dirA });
    await waitDrained(agentA);
    const quarantined = await waitFor(async () => {
      const m = await scrape(central);
      return value(m, 'outpost_quarantine_open') === 1 ? m : null;
    }, { what: 'quarantine gauge at 1' });
    expect(value(quarantined, 'outpost_ingest_events_total', { store: 'm-a', outcome: 'quarantined' })).toBe(1);
    const logged = central.proc.lines.map(jsonLine).find((l) => l?.msg === 'event quarantined');
    expect(logged).toMatchObject({ level: 'warn', storeId: 'm-a', correlationId: badCorrelation, error: expect.stringMatching(/qty/) });

    // Commands wait at central for the store that is away: the backlog shows it, and drains when it is back.
    await agentB.proc.stop();
    await waitFor(async () => value(await scrape(central), 'outpost_agents_connected') === 1, { what: 'one agent connected' });
    expect((await central.api.put('/items/SKU-M', { name: 'Metric mug', price: 500, currency: 'EUR' })).status).toBe(200);
    const waiting = await waitFor(async () => {
      const m = await scrape(central);
      return value(m, 'outpost_command_backlog', { store: 'm-b' }) === 1 && value(m, 'outpost_command_backlog', { store: 'm-a' }) === 0 ? m : null;
    }, { what: 'm-b backlog 1 while m-a applied its command' });
    expect(value(waiting, 'outpost_agents_connected')).toBe(1);
    agentB = await startAgent(fx, { dataDir: dirB });
    await waitFor(async () => value(await scrape(central), 'outpost_command_backlog', { store: 'm-b' }) === 0, { what: 'm-b backlog drained' });
  });

  it('logs are JSON lines carrying the caller\'s correlation id, which central echoes back', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const res = await fetch(`${central.url}/api/v1/stores`, { headers: { authorization: `Bearer ${central.adminToken}`, 'x-correlation-id': 'ticket-4711.a' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toBe('ticket-4711.a');
    const line = await waitFor(() => central.proc.lines.map(jsonLine).find((l) => l?.correlationId === 'ticket-4711.a' && l.msg === 'request completed'), {
      what: 'the request log line',
    });
    expect(line).toMatchObject({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // An id that is not a sane token is replaced by central's own, never written into the logs as given.
    const odd = await fetch(`${central.url}/healthz`, { headers: { 'x-correlation-id': 'x'.repeat(500) } });
    expect(odd.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });
});

function jsonLine(l: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(l);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
