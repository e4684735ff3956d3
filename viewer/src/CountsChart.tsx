import type { Chart } from 'chart.js';
import type * as ChartJsModule from './chartJs';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, graphql } from './api';
import type { CountsAnswer, Source } from './queries';
import { COUNTS_QUERY } from './queries';

let chartJs: Promise<typeof ChartJsModule> | null = null;
/** Chart.js, fetched the first time a chart is drawn (a chunk of the bundle of its own). */
function loadChartJs(): Promise<typeof ChartJsModule> {
  chartJs ??= import('./chartJs');
  return chartJs;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Up to this long a window is counted by the hour, beyond it by the day. */
const HOURLY_UP_TO = 3 * DAY;
/** Requests in flight at once: one per source, so a chart of many sources does not burst. */
const CONCURRENCY = 4;

export interface CountsChartProps {
  readonly filter: Record<string, unknown>;
  readonly filterKey: string;
  /** The window the view covers; `before` null is now. */
  readonly window: { readonly since: number | null; readonly before: number | null };
  /** The sources to stack: the filter's, else every source. */
  readonly sources: readonly Source[];
  /** A bar was clicked: narrow the view to its bucket. */
  readonly onNarrow: (since: number, before: number) => void;
  readonly theme: string;
  /**
   * False until the timeline's first page is in: the counts read more upstream pages than a
   * page of rows does, and the rows are what the user waits for.
   */
  readonly ready: boolean;
}

interface Series {
  readonly sourceId: string;
  readonly counts: ReadonlyMap<number, number>;
}

interface ChartData {
  readonly bucketMs: number;
  readonly starts: readonly number[];
  readonly series: readonly Series[];
  readonly exact: boolean;
  readonly scannedUntil: string | null;
  readonly failed: readonly string[];
}

/** A source's colour, the same in the chart and its chip, whatever the number of sources. */
export function sourceColor(index: number): string {
  const hues = [217, 12, 145, 280, 40, 190, 330, 95];
  const hue = hues[index % hues.length]!;
  const lightness = 50 + 8 * (Math.floor(index / hues.length) % 3);
  return `hsl(${hue} 65% ${lightness}%)`;
}

/**
 * Events per hour (windows up to three days) or per day, stacked by source: one
 * `auditEventCounts(by: HOUR | DAY)` per source with the view's filter narrowed to it. A click
 * on a bar narrows the view to that bucket.
 */
export function CountsChart(props: CountsChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [drawn, setDrawn] = useState(false);
  const sourceKey = props.sources.map((source) => source.id).join(',');

  useEffect(() => {
    if (!props.ready) return;
    const controller = new AbortController();
    setError(null);
    loadCounts(props, controller.signal)
      .then((loaded) => {
        if (!controller.signal.aborted) setData(loaded);
      })
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, []));
        setData(null);
      });
    return () => controller.abort();
  }, [props.filterKey, sourceKey, props.ready]);

  useEffect(() => {
    const element = canvas.current;
    if (element === null || data === null) return;
    let cancelled = false;
    void loadChartJs().then(({ Chart }) => {
      if (cancelled) return;
      const styles = getComputedStyle(element);
      const text = styles.getPropertyValue('--text-muted').trim() || '#666';
      const grid = styles.getPropertyValue('--border').trim() || '#ddd';
      const labels = data.starts.map((start) => bucketLabel(start, data.bucketMs));
      const indexOf = new Map(props.sources.map((source, index) => [source.id, index]));
      const datasets = data.series.map((series) => ({
        label: series.sourceId,
        data: data.starts.map((start) => series.counts.get(start) ?? 0),
        backgroundColor: sourceColor(indexOf.get(series.sourceId) ?? 0),
        borderWidth: 0,
        stack: 'events',
      }));
      chart.current?.destroy();
      chart.current = new Chart<'bar'>(element, {
        type: 'bar',
        data: { labels, datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: {
              stacked: true,
              ticks: { color: text, maxRotation: 0, autoSkip: true },
              grid: { display: false },
            },
            y: {
              stacked: true,
              beginAtZero: true,
              ticks: { color: text, precision: 0 },
              grid: { color: grid },
            },
          },
          plugins: {
            // The source chips above carry the same colours: they are the legend.
            legend: { display: false },
            tooltip: {
              callbacks: {
                title: (items) => {
                  const start = data.starts[items[0]?.dataIndex ?? 0] ?? 0;
                  return `${new Date(start).toLocaleString()} (${data.bucketMs === HOUR ? 'hour' : 'day'})`;
                },
              },
            },
          },
          onClick: (_event, elements) => {
            const start = data.starts[elements[0]?.index ?? -1];
            if (start !== undefined) props.onNarrow(start, start + data.bucketMs);
          },
          onHover: (event, elements) => {
            const target = event.native?.target as HTMLElement | undefined;
            if (target !== undefined)
              target.style.cursor = elements.length > 0 ? 'pointer' : 'default';
          },
        },
      });
      setDrawn(true);
    });
    return () => {
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
      setDrawn(false);
    };
  }, [data, props.theme]);

  const total = data?.series.reduce(
    (sum, series) => sum + [...series.counts.values()].reduce((a, b) => a + b, 0),
    0,
  );
  return (
    <section class="chart" aria-label="Events over time">
      <div
        class="chart-canvas"
        data-chart="counts"
        data-bucket={data === null ? undefined : data.bucketMs === HOUR ? 'hour' : 'day'}
        data-buckets={data?.starts.length}
        data-total={total}
        data-drawn={drawn}
      >
        <canvas ref={canvas} role="img" aria-label={describe(data, total)} />
      </div>
      <p class="chart-note">
        {error !== null
          ? `Counts unavailable: ${error.message}`
          : data === null
            ? 'Counting…'
            : [
                `${(total ?? 0).toLocaleString()} events, counted by the ${data.bucketMs === HOUR ? 'hour' : 'day'} (UTC); click a bar to narrow the range.`,
                data.exact
                  ? ''
                  : data.scannedUntil !== null
                    ? ` Counted from ${new Date(data.scannedUntil).toLocaleString()} (the scan budget ran out).`
                    : '',
                data.failed.length > 0 ? ` Not counted: ${data.failed.join(', ')}.` : '',
              ].join('')}
      </p>
    </section>
  );
}

function describe(data: ChartData | null, total: number | undefined): string {
  if (data === null) return 'Event counts, loading';
  return `${total ?? 0} events in ${data.starts.length} ${data.bucketMs === HOUR ? 'hours' : 'days'}, stacked by source`;
}

function bucketLabel(start: number, bucketMs: number): string {
  const date = new Date(start);
  const day = `${date.getMonth() + 1}/${date.getDate()}`;
  return bucketMs === HOUR ? `${day} ${String(date.getHours()).padStart(2, '0')}:00` : day;
}

async function loadCounts(props: CountsChartProps, signal: AbortSignal): Promise<ChartData> {
  const now = Date.now();
  const before = props.window.before ?? now;
  const since = props.window.since;
  const bucketMs = since !== null && before - since <= HOURLY_UP_TO ? HOUR : DAY;
  const by = bucketMs === HOUR ? 'HOUR' : 'DAY';
  // UTC buckets, as the server counts them.
  const floor = (ms: number) => Math.floor(ms / bucketMs) * bucketMs;
  const first =
    since === null ? 1000 : Math.min(1000, Math.floor((before - 1 - floor(since)) / bucketMs) + 1);

  const results: { sourceId: string; answer: CountsAnswer['auditEventCounts'] | null }[] = [];
  const queue = [...props.sources];
  const worker = async () => {
    for (let source = queue.shift(); source !== undefined; source = queue.shift()) {
      const filter = { ...props.filter, sources: [source.id] };
      try {
        const { data } = await graphql<CountsAnswer>(COUNTS_QUERY, { filter, by, first }, signal);
        results.push({ sourceId: source.id, answer: data.auditEventCounts });
      } catch (error) {
        if (
          signal.aborted ||
          (error instanceof ApiError && error.items.some((i) => i.field !== null))
        )
          throw error;
        results.push({ sourceId: source.id, answer: null });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));

  const order = new Map(props.sources.map((source, index) => [source.id, index]));
  results.sort((a, b) => (order.get(a.sourceId) ?? 0) - (order.get(b.sourceId) ?? 0));
  const series: Series[] = [];
  const failed: string[] = [];
  let exact = true;
  let scannedUntil: string | null = null;
  for (const { sourceId, answer } of results) {
    const ok = answer !== null && answer.sources.every((status) => status.state === 'OK');
    if (!ok) failed.push(sourceId);
    if (answer === null) continue;
    exact &&= answer.exact;
    if (
      answer.scannedUntil !== null &&
      (scannedUntil === null || answer.scannedUntil > scannedUntil)
    )
      scannedUntil = answer.scannedUntil;
    const counts = new Map<number, number>();
    for (const bucket of answer.buckets) {
      const start = Date.parse(
        bucket.key.length === 10 ? `${bucket.key}T00:00:00.000Z` : bucket.key,
      );
      if (!Number.isNaN(start)) counts.set(start, bucket.count);
    }
    series.push({ sourceId, counts });
  }

  let starts: number[];
  if (since === null) {
    const keys = new Set(series.flatMap((s) => [...s.counts.keys()]));
    const sorted = [...keys].sort((a, b) => a - b);
    const low = sorted[0];
    const high = sorted[sorted.length - 1];
    starts = [];
    if (low !== undefined && high !== undefined) {
      for (let start = low; start <= high; start += bucketMs) starts.push(start);
    }
  } else {
    starts = [];
    for (let start = floor(since); start < before; start += bucketMs) starts.push(start);
  }
  return { bucketMs, starts, series, exact, scannedUntil, failed };
}
