/** One sample of a scrape: `name{labels} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  /** Metric family → its HELP text. */
  readonly help: ReadonlyMap<string, string>;
  /** Metric family → its TYPE (counter, gauge, histogram, summary). */
  readonly type: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
  /** The samples named `name` whose labels include `labels`. */
  select(name: string, labels?: Readonly<Record<string, string>>): Sample[];
  /** The sum of those samples' values (0 when there are none). */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/**
 * The Prometheus text exposition format (version 0.0.4), strictly: a line that is neither a
 * comment nor a well-formed sample fails the parse, so a test that scrapes also checks the
 * format.
 */
export function parsePrometheusText(text: string): Scrape {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment !== null) {
      (comment[1] === 'HELP' ? help : type).set(comment[2]!, comment[3]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample: ${line}`);
    samples.push({
      name: match[1]!,
      labels: parseLabels(match[2] ?? '', line),
      value: toValue(match[3]!, line),
    });
  }
  const select = (name: string, labels: Readonly<Record<string, string>> = {}) =>
    samples.filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  return {
    help,
    type,
    samples,
    select,
    sum: (name, labels) => select(name, labels).reduce((total, sample) => total + sample.value, 0),
  };
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (match === null) throw new Error(`bad labels in: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function toValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  // Prometheus reads NaN in any case; prom-client writes `Nan` (Node's event-loop lag before
  // its first sample, say).
  if (Number.isNaN(value) && text.toLowerCase() !== 'nan') throw new Error(`bad value in: ${line}`);
  return value;
}

/** The metric family a sample belongs to: a histogram's `_bucket`, `_sum`, `_count` are its own. */
export function toFamily(scrape: Scrape, sampleName: string): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sampleName.slice(0, -suffix.length);
    if (sampleName.endsWith(suffix) && scrape.type.get(base) === 'histogram') return base;
  }
  return sampleName;
}
