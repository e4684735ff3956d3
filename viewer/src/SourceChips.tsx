import { localTime, lowerCase, utcTime } from './format';
import type { Source } from './queries';
import type { SourceView } from './useFeed';
import { sourceColor } from './CountsChart';

export interface SourceChipsProps {
  readonly sources: readonly Source[];
  readonly views: ReadonlyMap<string, SourceView>;
  readonly asOf: string | null;
}

/**
 * How each source fared in this traversal, as the feed's `sources[]` tells it: OK, or its
 * failure with the server's message; events it reported missed; and, when it is behind the
 * traversal's snapshot (Cloudflare v2 shows events minutes late), up to when it is complete.
 */
export function SourceChips({ sources, views, asOf }: SourceChipsProps) {
  return (
    <ul class="chips" aria-label="Sources">
      {sources.map((source, index) => {
        const view = views.get(source.id);
        if (view === undefined) {
          return (
            <li
              key={source.id}
              class="chip pending"
              data-source-id={source.id}
              data-state="PENDING"
            >
              <span class="dot" style={{ background: sourceColor(index) }} />
              <span class="chip-name">{source.id}</span>{' '}
              {/* As wide as "OK", so the chip does not grow when the first page comes. */}
              <strong class="chip-state">…</strong>
            </li>
          );
        }
        const { status, missed } = view;
        const behind = asOf !== null && status.completeUntil < asOf;
        const ok = status.state === 'OK';
        const title = [
          `${source.id} (${source.kind.toLowerCase().replace(/_/g, '-')}): ${status.state}`,
          status.message ?? '',
          `complete until ${utcTime(status.completeUntil)}`,
          status.retryAfterSeconds === null ? '' : `next try in ${status.retryAfterSeconds} s`,
          `${status.upstreamRequests} upstream requests for the last page`,
        ]
          .filter(Boolean)
          .join('\n');
        return (
          <li
            key={source.id}
            class={`chip ${ok ? 'ok' : 'failed'}`}
            data-source-id={source.id}
            data-state={status.state}
            title={title}
          >
            <span class="dot" style={{ background: sourceColor(index) }} />
            <span class="chip-name">{source.id}</span>{' '}
            <strong class="chip-state">{ok ? 'OK' : lowerCase(status.state)}</strong>
            {!ok && status.message !== null ? (
              <span class="chip-message">{status.message}</span>
            ) : null}
            {status.retryAfterSeconds !== null ? (
              <span class="chip-extra">retry in {status.retryAfterSeconds} s</span>
            ) : null}
            {missed > 0 ? (
              <span class="chip-extra" data-missed={missed}>
                {missed} missed
              </span>
            ) : null}
            {behind ? (
              <span class="chip-extra" data-complete-until={status.completeUntil}>
                complete until {localTime(status.completeUntil).slice(11, 16)}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
