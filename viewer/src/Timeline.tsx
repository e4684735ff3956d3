import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
} from '@tanstack/virtual-core';
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { PROVIDER_NAMES, actorText, localTime, lowerCase, resourceText, utcTime } from './format';
import type { AuditEvent } from './queries';

/** Every row is this tall, so a page arriving never moves what is on screen. */
export const ROW_HEIGHT = 36;
/**
 * Ask for the next page this many rows (three screens or so) before the end of what is loaded:
 * a page takes about 100 ms to come, less than it takes to scroll that far.
 */
const PREFETCH_ROWS = 60;

export interface TimelineProps {
  readonly rows: readonly AuditEvent[];
  readonly selectedId: string | null;
  readonly hasNextPage: boolean;
  readonly loading: boolean;
  readonly onNeedMore: () => void;
  readonly onSelect: (event: AuditEvent) => void;
  /** Enter on a row: open its details and move focus there. */
  readonly onOpen: (event: AuditEvent) => void;
}

/**
 * The events, newest first, as a listbox of fixed-height rows of which only those in view (and a
 * few around) exist in the DOM (@tanstack/virtual-core), so 10,000 rows scroll like 100. The
 * list is one tab stop: the arrow keys, Page Up/Down, Home and End move the active row, Enter
 * opens it.
 */
export function Timeline(props: TimelineProps) {
  const { rows } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLDivElement, HTMLDivElement>({
        count: rows.length,
        getScrollElement: () => scroller.current,
        estimateSize: () => ROW_HEIGHT,
        overscan: 12,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        onChange: () => rerender(undefined),
      }),
  );
  virtualizer.setOptions({
    ...virtualizer.options,
    count: rows.length,
    getItemKey: (index) => rows[index]?.id ?? index,
  });
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());

  // Rows inserted above what the user is reading (the live tail) push it down by as much as
  // they take, so what is on screen stays put; at the very top the new rows simply show.
  const firstId = useRef<string | null>(null);
  useLayoutEffect(() => {
    const element = scroller.current;
    const previousFirst = firstId.current;
    firstId.current = rows[0]?.id ?? null;
    if (element === null || previousFirst === null || element.scrollTop === 0) return;
    const shift = rows.findIndex((row) => row.id === previousFirst);
    if (shift > 0) element.scrollTop += shift * ROW_HEIGHT;
  }, [rows]);

  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (!props.hasNextPage || props.loading) return;
    if (rows.length === 0 || (last !== undefined && last.index >= rows.length - PREFETCH_ROWS)) {
      props.onNeedMore();
    }
  });

  const selectedIndex = rows.findIndex((row) => row.id === props.selectedId);
  const move = (index: number) => {
    const target = Math.max(0, Math.min(rows.length - 1, index));
    const event = rows[target];
    if (event === undefined) return;
    props.onSelect(event);
    virtualizer.scrollToIndex(target, { align: 'auto' });
  };
  const pageRows = Math.max(
    1,
    Math.floor((scroller.current?.clientHeight ?? 360) / ROW_HEIGHT) - 1,
  );
  const onKeyDown = (event: KeyboardEvent) => {
    const from = selectedIndex === -1 ? -1 : selectedIndex;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(from + 1),
      ArrowUp: () => move(from - 1),
      PageDown: () => move(from + pageRows),
      PageUp: () => move(from - pageRows),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => {
        const row = rows[selectedIndex];
        if (row !== undefined) props.onOpen(row);
      },
    };
    const action = keys[event.key];
    if (action === undefined) return;
    event.preventDefault();
    action();
  };

  return (
    <div class="timeline">
      <div class="row header" aria-hidden="true">
        <span class="c-time">Time</span>
        <span class="c-source">Source</span>
        <span class="c-action">Action</span>
        <span class="c-category">Category</span>
        <span class="c-outcome">Outcome</span>
        <span class="c-actor">Actor</span>
        <span class="c-resource">Resource</span>
        <span class="c-description">Description</span>
      </div>
      <div
        ref={scroller}
        class="rows"
        role="listbox"
        aria-label="Audit events, newest first"
        tabIndex={0}
        aria-activedescendant={selectedIndex === -1 ? undefined : `event-${selectedIndex}`}
        onKeyDown={onKeyDown}
        data-rows={rows.length}
        data-has-next-page={props.hasNextPage}
      >
        <div class="rows-inner" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((item) => {
            const event = rows[item.index]!;
            return (
              <EventRow
                key={event.id}
                index={item.index}
                event={event}
                top={item.start}
                selected={event.id === props.selectedId}
                onClick={() => props.onSelect(event)}
                onDoubleClick={() => props.onOpen(event)}
              />
            );
          })}
        </div>
        {rows.length === 0 && !props.loading ? (
          <p class="empty">No events match this view.</p>
        ) : null}
      </div>
      <div class="status-line" aria-live="polite">
        {props.loading
          ? 'Loading…'
          : props.hasNextPage
            ? `${rows.length.toLocaleString()} events loaded; scroll for more`
            : `${rows.length.toLocaleString()} events`}
      </div>
    </div>
  );
}

interface EventRowProps {
  readonly index: number;
  readonly event: AuditEvent;
  readonly top: number;
  readonly selected: boolean;
  readonly onClick: () => void;
  readonly onDoubleClick: () => void;
}

function EventRow({ index, event, top, selected, onClick, onDoubleClick }: EventRowProps) {
  const redacted = event.redacted.length > 0;
  return (
    <div
      id={`event-${index}`}
      class={`row event${selected ? ' selected' : ''}${event.outcome === 'FAILURE' ? ' failure' : ''}`}
      role="option"
      aria-selected={selected}
      style={{ transform: `translateY(${top}px)` }}
      data-event-id={event.id}
      data-occurred-at={event.occurredAt}
      data-source-id={event.source.id}
      {...(redacted ? { 'data-redacted': event.redacted.join(',') } : {})}
      onClick={onClick}
      onDblClick={onDoubleClick}
    >
      <span class="c-time" title={utcTime(event.occurredAt)}>
        <time dateTime={event.occurredAt}>{localTime(event.occurredAt)}</time>
      </span>
      <span class="c-source" title={`${PROVIDER_NAMES[event.provider]} · ${event.source.id}`}>
        <span class={`provider p-${event.provider.toLowerCase()}`}>
          {PROVIDER_NAMES[event.provider]}
        </span>{' '}
        {event.source.id}
      </span>
      <span class="c-action" title={event.action}>
        {event.action}
      </span>
      <span class="c-category">{lowerCase(event.category)}</span>
      <span class={`c-outcome o-${event.outcome.toLowerCase()}`}>{lowerCase(event.outcome)}</span>
      <span
        class="c-actor"
        title={
          redacted
            ? `${actorText(event)}\nRedacted: ${event.redacted.join(', ')}`
            : actorText(event)
        }
      >
        {actorText(event)}
      </span>
      <span class="c-resource" title={resourceText(event)}>
        {resourceText(event)}
      </span>
      <span class="c-description" title={event.description ?? ''}>
        {event.description ?? ''}
      </span>
    </div>
  );
}
