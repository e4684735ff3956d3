import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ERROR_CODES } from '../../src/model/errors';
import type { Auditgraph } from '../../src/startAuditgraph';
import { startAuditgraph } from '../../src/startAuditgraph';
import { DEMO_CONFIG, postGraphql } from '../support/demoConfig';
import { parsePrometheusText, toFamily, type Scrape } from '../support/parsePrometheusText';

/**
 * docs/operations.md, the Prometheus alerts and the Grafana dashboard, held to the metrics a real
 * instance exposes: a metric renamed in the code fails here, not in an operator's silent alert.
 */

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const operations = read('docs/operations.md');
const alerts = parse(read('deploy/prometheus/auditgraph-alerts.yaml')) as {
  groups: {
    name: string;
    rules: { alert: string; expr: string; labels: { severity: string } }[];
  }[];
};
const dashboard = JSON.parse(read('deploy/grafana/auditgraph-dashboard.json')) as {
  panels: { type: string; targets?: { expr: string }[] }[];
  templating: { list: { query: { query: string } }[] };
};

const METRIC = /\bauditgraph_[a-z_]+\b/g;

let app: Auditgraph;
let scrape: Scrape;
let families: Set<string>;

beforeAll(async () => {
  app = await startAuditgraph(DEMO_CONFIG, { log: () => undefined });
  // A page with a failing source, so that every labelled series has a value.
  const fastly = app.demo!.emulators.find((emulator) =>
    emulator.name.toLowerCase().includes('fastly'),
  )!;
  fastly.knobs.faults.push({
    fault: { type: 'status', status: 503 },
    pathPrefix: '/events',
    times: 100,
  });
  await postGraphql(app.url, '{ auditEvents(first: 5) { edges { cursor } } }');
  const response = await fetch(`${app.url}/metrics`);
  scrape = parsePrometheusText(await response.text());
  families = new Set(scrape.samples.map((sample) => toFamily(scrape, sample.name)));
  for (const family of scrape.type.keys()) families.add(family);
});
afterAll(() => app.close());

/** The metric families an expression names (a histogram's `_bucket` is its family). */
function familiesIn(expr: string): string[] {
  return [...expr.matchAll(METRIC)].map(([name]) => toFamily(scrape, name));
}

describe('the operations guide and its alerts and dashboard', () => {
  it('alert on every case the guide promises, each with a severity', () => {
    const rules = alerts.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'AuditgraphSourceFailing',
        'AuditgraphCircuitOpen',
        'AuditgraphRateLimitRefusals',
        'AuditgraphEventsMissed',
      ]),
    );
    for (const rule of rules)
      expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
  });

  it('use only metrics a real scrape exposes', () => {
    const exprs = [
      ...alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
      ...dashboard.templating.list.map((variable) => variable.query.query),
    ];
    const used = new Set(exprs.flatMap(familiesIn));
    expect(used.size).toBeGreaterThanOrEqual(10);
    expect([...used].filter((name) => !families.has(name))).toEqual([]);
  });

  it('name, in the guide, every metric the registry exposes and no other', () => {
    const exposed = [...families].filter((name) => name.startsWith('auditgraph_')).sort();
    const documented = new Set(familiesIn(operations));
    expect(exposed.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !families.has(name))).toEqual([]);
  });

  it('explain every error code and every source state', () => {
    for (const code of ERROR_CODES) expect(operations).toContain(`\`${code}\``);
    for (const state of [
      'OK',
      'FAILED',
      'TIMED_OUT',
      'RATE_LIMITED',
      'UNAUTHORIZED',
      'CIRCUIT_OPEN',
    ]) {
      expect(operations).toContain(`| \`${state}\``);
    }
  });
});
