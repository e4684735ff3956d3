import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, graphql, readToken, saveToken } from './api';
import { CountsChart } from './CountsChart';
import { EventPanel } from './EventPanel';
import type { ExportFormat } from './exportDownload';
import { downloadExport } from './exportDownload';
import { FilterBar, errorsByField } from './FilterBar';
import { KeyDialog } from './KeyDialog';
import type { AuditEvent, Source, SourcesAnswer } from './queries';
import { SOURCES_QUERY } from './queries';
import { SourceChips } from './SourceChips';
import { Timeline } from './Timeline';
import { useFeed } from './useFeed';
import { useLive } from './useLive';
import { useTheme } from './useTheme';
import type { ViewState } from './viewState';
import { iso, readView, toFilter, windowOf, writeView } from './viewState';

/**
 * The viewer: filters, the counts chart, the timeline and the selected event's details, over
 * auditgraph's public API. The view lives in the URL; `now` is fixed when the view changes (or
 * on Refresh), so the chart, the rows and an export speak of the same window.
 */
export function App() {
  const [view, setView] = useState<ViewState>(() => readView(location.search));
  const [now, setNow] = useState(() => Date.now());
  const [generation, setGeneration] = useState(0);
  const [sources, setSources] = useState<readonly Source[] | null>(null);
  const [needKey, setNeedKey] = useState<{ refused: boolean } | null>(null);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const [focusPanel, setFocusPanel] = useState(false);
  const [live, setLive] = useState(false);
  const [exportFormat, setExportFormat] = useState<ExportFormat>('csv');
  const [exporting, setExporting] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const { theme, resolved, cycleTheme } = useTheme();
  const list = useRef<HTMLDivElement>(null);

  const filter = useMemo(() => toFilter(view, now), [view, now]);
  const filterKey = `${generation}:${JSON.stringify(filter)}`;
  const feed = useFeed(filter, filterKey);
  const liveState = useLive(live, filter, filterKey, feed.insert);

  const changeView = useCallback((next: ViewState) => {
    const search = writeView(next);
    if (search !== location.search) history.pushState(null, '', `${location.pathname}${search}`);
    setView(next);
    setNow(Date.now());
    setSelected(null);
  }, []);
  useEffect(() => {
    const onPop = () => {
      setView(readView(location.search));
      setNow(Date.now());
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    graphql<SourcesAnswer>(SOURCES_QUERY, {}, controller.signal)
      .then(({ data }) => {
        setSources(data.auditSources);
        setNeedKey(null);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.unauthenticated) {
          setNeedKey({ refused: readToken() !== null });
        } else setSources([]);
      });
    return () => controller.abort();
  }, [generation]);
  useEffect(() => {
    if (feed.error?.unauthenticated === true) setNeedKey({ refused: readToken() !== null });
  }, [feed.error]);

  const submitKey = (token: string) => {
    saveToken(token);
    setNeedKey(null);
    setGeneration((n) => n + 1);
  };
  const forgetKey = () => {
    saveToken(null);
    setLive(false);
    setGeneration((n) => n + 1);
  };

  const fieldErrors = errorsByField([...(feed.error?.items ?? [])]);
  const pageError =
    feed.error !== null && !feed.error.unauthenticated && Object.keys(fieldErrors).length === 0
      ? feed.error
      : null;
  // The first page tells: a key without the personal-data permission gets every event redacted
  // the same way.
  const redactedRows = feed.rows.slice(0, 100).some((row) => row.redacted.length > 0);
  const shownSources = (sources ?? []).filter(
    (source) => view.sources === null || view.sources.includes(source.id),
  );

  const exportNow = () => {
    setExportError(null);
    setExporting('Preparing…');
    // The rows' traversal stops at its snapshot; so does the export of them.
    const exportFilter = { ...filter };
    if (feed.asOf !== null) {
      const end = Date.parse(feed.asOf) + 1;
      const before = typeof filter.before === 'string' ? Date.parse(filter.before) : NaN;
      if (Number.isNaN(before) || end < before) exportFilter.before = iso(end);
    }
    downloadExport(exportFormat, exportFilter, new AbortController().signal)
      .then(({ bytes, fileName }) =>
        setExporting(`Saved ${fileName} (${(bytes / 1000).toFixed(1)} kB)`),
      )
      .catch((error: unknown) => {
        setExporting(null);
        setExportError(error instanceof Error ? error.message : 'the export failed');
      });
  };

  return (
    <div class={`app${selected === null ? '' : ' with-panel'}`}>
      <header class="top">
        <h1>
          <a href="/viewer">auditgraph</a>
        </h1>
        <div class="top-actions">
          <button
            type="button"
            class="filters-toggle"
            aria-expanded={filtersOpen}
            aria-controls="filters"
            onClick={() => setFiltersOpen(!filtersOpen)}
          >
            Filters
          </button>
          <button
            type="button"
            class={`toggle${live ? ' on' : ''}`}
            aria-pressed={live}
            data-live={liveState.kind}
            onClick={() => setLive(!live)}
            title="Follow new events as they appear (the tail subscription)"
          >
            <span class="live-dot" aria-hidden="true" /> Live
            {liveState.kind === 'on' && liveState.received > 0 ? ` (+${liveState.received})` : ''}
          </button>
          <span class="export">
            <select
              aria-label="Export format"
              value={exportFormat}
              onChange={(event) => setExportFormat(event.currentTarget.value as ExportFormat)}
            >
              <option value="csv">CSV</option>
              <option value="ndjson">NDJSON</option>
            </select>
            <button type="button" onClick={exportNow} data-action="export">
              Export
            </button>
          </span>
          <button
            type="button"
            onClick={() => {
              setNow(Date.now());
              setGeneration((n) => n + 1);
            }}
            title="Read the view again, as of now"
          >
            Refresh
          </button>
          <button type="button" onClick={cycleTheme} title="Light, dark or as the system says">
            Theme: {theme}
          </button>
          {readToken() === null ? null : (
            <button type="button" onClick={forgetKey} title="Forget the key this tab holds">
              Forget key
            </button>
          )}
        </div>
      </header>
      <FilterBar
        view={view}
        sources={sources ?? []}
        errors={fieldErrors}
        onChange={changeView}
        open={filtersOpen}
      />
      <SourceChips sources={shownSources} views={feed.sources} asOf={feed.asOf} />
      <div class="notices" aria-live="polite">
        {pageError === null ? null : (
          <p class="banner error" role="alert">
            <code>{pageError.items[0]?.code ?? `HTTP ${pageError.status}`}</code>{' '}
            {pageError.items[0]?.message ?? 'The server could not be reached.'}{' '}
            <button type="button" onClick={feed.retry}>
              Retry
            </button>
          </p>
        )}
        {redactedRows ? (
          <p class="banner" data-notice="redacted">
            This key may not read personal data: emails and IP addresses read [redacted], and an
            event&apos;s details list what was withheld.
          </p>
        ) : null}
        {liveState.kind === 'ended' ? <p class="banner">Live stopped: {liveState.reason}</p> : null}
        {liveState.kind === 'on' && liveState.warnings.length > 0 ? (
          <p class="banner warn">
            Live: {liveState.warnings.map((w) => `${w.sourceId ?? ''} ${w.code}`).join(', ')}
          </p>
        ) : null}
        {exporting === null ? null : <p class="banner">{exporting}</p>}
        {exportError === null ? null : (
          <p class="banner error" role="alert">
            Export: {exportError}
          </p>
        )}
      </div>
      {sources === null ? null : (
        <CountsChart
          filter={filter}
          filterKey={filterKey}
          window={windowOf(view, now)}
          sources={shownSources}
          theme={resolved}
          ready={feed.asOf !== null || feed.error !== null}
          onNarrow={(since, before) =>
            changeView({ ...view, range: 'custom', since: iso(since), before: iso(before) })
          }
        />
      )}
      <main class="content" ref={list}>
        <Timeline
          rows={feed.rows}
          selectedId={selected?.id ?? null}
          hasNextPage={feed.hasNextPage}
          loading={feed.loading}
          onNeedMore={feed.loadMore}
          onSelect={(event) => {
            setSelected(event);
            setFocusPanel(false);
          }}
          onOpen={(event) => {
            setSelected(event);
            setFocusPanel(true);
          }}
        />
        {selected === null ? null : (
          <EventPanel
            event={selected}
            focus={focusPanel}
            onClose={() => {
              setSelected(null);
              list.current?.querySelector<HTMLElement>('[role="listbox"]')?.focus();
            }}
          />
        )}
      </main>
      {needKey === null ? null : <KeyDialog refused={needKey.refused} onSubmit={submitKey} />}
    </div>
  );
}
