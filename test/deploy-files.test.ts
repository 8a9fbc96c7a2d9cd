import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { centralApi } from '@outpost/shared';
import { captureMany } from './support/capture.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { enrollAgent, ROOT, startAgent, startCentral } from './support/procs.js';
import { promtool } from './support/promtool.js';

// The monitoring files shipped in deploy/ (issue 16) are checked against Prometheus's own tool and against a live
// central: a metric renamed in the code cannot silently break an alert or a dashboard panel.

const RULES = join(ROOT, 'deploy/prometheus/alerts.yml');
const DASHBOARD = join(ROOT, 'deploy/grafana/outpost.json');

/** Metric family names a PromQL expression reads (histogram series map to their family). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\boutpost_[a-zA-Z0-9_:]*/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

describe('deploy/ monitoring files', () => {
  const { fx, dbUrl } = e2eContext();

  it('the alerting rules pass promtool and cover every alert kind central raises', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
    const text = readFileSync(RULES, 'utf8');
    const kinds = [...text.matchAll(/kind: ([a-z_]+)/g)].map((m) => m[1]);
    expect(new Set(kinds)).toEqual(new Set(centralApi.alertKindSchema.options));
  });

  it('every metric the rules and the dashboard read exists on a live central /metrics', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-dp', dataDir);
    const agent = await startAgent(fx, { dataDir });
    await captureMany(agent, 3);
    await waitDrained(agent);
    const res = await fetch(`${central.url}/metrics`, { headers: { authorization: `Bearer ${central.adminToken}` } });
    const exposition = await res.text();
    const families = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));

    const ruleExprs = [...readFileSync(RULES, 'utf8').matchAll(/expr: (.+)$/gm)].map((m) => m[1]!);
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    const panelExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const used = new Set([...ruleExprs, ...panelExprs].flatMap(metricsIn));
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter((m) => !families.has(m));
    expect(missing).toEqual([]);
    await agent.proc.stop();
  });
});
